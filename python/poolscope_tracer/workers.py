"""Pool workers, threads or processes: each draws on a lane of its pool from its first moment,
and its end is recorded by whoever sees it.

A worker that returns records its own exit; a worker thread that dies records its death
itself. A worker process that dies (a crash, a signal, os._exit, a raising initializer) is seen
by the process that made the pool, which reads the dead worker's record file to tell what it
was doing (the task it never finished is lost with it) and writes the death on its lane.
"""
import glob
import os
import queue
import signal
import threading
import weakref

import multiprocessing.pool as mpp

from . import records as R
from . import state
from . import threadclock
from .calls import Init, TaskFunction, unsendable, worker_thread
from .patching import replace
from .sites import drop_own_frame, error_text

#: This process's pools by id, for the worker threads it runs and the deaths it sees.
_pools = weakref.WeakValueDictionary()
#: The pids of the worker processes each pool of this process started, by pool id: whose record
#: files tell which of its tasks ever started.
_pids = {}
#: A spawned worker process records its start as it boots (children.bootstrap), before its pool's code runs.
started_at_bootstrap = False


def register(ps):
    _pools[ps.id] = ps


def pool_state(pool_id):
    return _pools.get(pool_id)


def process_started(ps, pid):
    _pids.setdefault(ps.id, []).append(pid)


def start_worker(init, in_process):
    """Puts the calling thread (a worker of init's pool) on its lane and records its start."""
    ps = init.pool_state
    replacing = init.replacing
    if ps is not None and not in_process:
        ps.started += 1
        replacing = ps.started > ps.size
    name = _process_name() if in_process else threading.current_thread().name
    lane = state.lanes.bind(0 if in_process else None, R.LANE_WORKER, init.pool, name)
    threadclock.mark()
    if in_process and started_at_bootstrap:
        return lane
    state.rec(R.WORKER, lane, R.WORKER_START, os.getpid(), 1 if replacing else 0)
    if replacing:
        state.rec(R.POOL, lane, init.pool, R.POOL_RESPAWN, -1, lane)
    return lane


def _process_name():
    import multiprocessing
    return multiprocessing.current_process().name


def run_worker(target, init, args, kwargs):
    """Runs a pool's worker function as a traced worker of init's pool."""
    in_process = threading.current_thread() is threading.main_thread()
    worker_thread.init_error = None
    lane = start_worker(init, in_process)
    try:
        target(*args, **kwargs)
    except BaseException as e:
        if not in_process:
            state.rec(R.WORKER, state.lanes.current(), R.WORKER_DIED, -1, 0, 0, text='the worker thread ended with %s' % error_text(e))
        drop_own_frame(e)
        raise
    if worker_thread.init_error is not None:
        # A thread executor's worker returns when its initializer raised: it ended unasked.
        state.rec(R.WORKER, lane, R.WORKER_DIED, 0 if in_process else -1, 0, 0, text='its initializer raised ' + worker_thread.init_error)
    else:
        state.rec(R.WORKER, lane, R.WORKER_EXIT, 0)


def how_it_ended(exitcode):
    if exitcode is not None and exitcode < 0:
        try:
            return 'killed by %s' % signal.Signals(-exitcode).name
        except ValueError:
            return 'killed by signal %d' % -exitcode
    return 'exited with code %s' % exitcode


def process_ended(ps, proc, asked, why_lost):
    """Records the end of worker process `proc` of pool `ps`, seen by this process (its parent).
    asked: the pool ended it (terminate, or an executor that broke), and the task it was running,
    if any, is lost for `why_lost` (None: the pool had no work left, so it ran none); else it
    died. Its record file tells what it was doing."""
    pid = proc.pid
    lane = state.lanes.declare(0, R.LANE_WORKER, ps.id, proc.name, pid=pid)
    code = proc.exitcode
    if asked:
        running = _last_doings(pid)[0] if why_lost is not None else 0
        if running:
            state.rec(R.TASK_END, lane, running, R.LOST, 0, 0, -1, text=why_lost)
        state.rec(R.WORKER, lane, R.WORKER_EXIT, code if code is not None else -1)
        return
    running, init_error = _last_doings(pid)
    why = how_it_ended(code)
    if init_error is not None:
        ps.init_failed += 1
        why = 'its initializer raised %s; %s' % (init_error.split('\n', 1)[0], why)
    if running:
        ps.lost.add(running)
    state.rec(R.WORKER, lane, R.WORKER_DIED, code if code is not None and code >= 0 else -1, -code if code is not None and code < 0 else 0, running, text=why)


def _record_files(pid):
    """The record files of process `pid`, oldest first."""
    return sorted(glob.glob(os.path.join(state.folder, 'p%d.rec' % pid)) + glob.glob(os.path.join(state.folder, 'p%d-*.rec' % pid)), key=os.path.getmtime)


def _last_doings(pid):
    """(task the process started and never ended or 0, its initializer's error or None), from its record file."""
    paths = _record_files(pid)
    if not paths:
        return 0, None
    running = 0
    init_error = None
    for r in R.read_records(paths[-1])[0]:
        if r[0] == R.TASK_START:
            running = r[3]
        elif r[0] == R.TASK_END and r[3] == running:
            running = 0
        elif r[0] == R.INIT and r[4] == R.ERROR:
            init_error = r[9]
    return running, init_error


def drop_unstarted(ps, jobs):
    """Pool `ps` was terminated or broke, its worker processes ended: the tasks of `jobs` (those
    still pending) that none of them started were dropped from its queues, never to run."""
    tasks = {t for job in jobs if job is not None for t in job.tasks}
    if not tasks:
        return
    started = set()
    for pid in _pids.get(ps.id, ()):
        for path in _record_files(pid):
            started.update(r[3] for r in R.read_records(path)[0] if r[0] == R.TASK_START and r[3] in tasks)
    lane = state.lanes.current()
    for task in sorted(tasks - started):
        state.rec(R.TASK_DROP, lane, task, R.CANCELLED)


def traced_worker(orig):
    """A pool's worker function (multiprocessing.pool.worker, concurrent.futures' _worker and
    _process_worker: each takes the initializer third), run as a traced worker when its pool
    handed it an Init. The pools look these functions up in their modules when they start a worker."""
    def worker(*args, **kwargs):
        try:
            init = args[2] if len(args) > 2 else kwargs.get('initializer')
            if type(init) is not Init or state.rec is None:
                return orig(*args, **kwargs)
            return run_worker(orig, init, args, kwargs)
        except BaseException as e:
            drop_own_frame(e)
            raise
    return worker


def patch_pool_worker():
    replace(mpp, 'worker', traced_worker)

    def make_encoding_error(orig):
        def __init__(self, exc, value):
            orig(self, exc, value)
            unsendable('MaybeEncodingError: %s' % self, False)
        return __init__

    # A worker makes one when the task's result or error cannot be pickled back.
    replace(mpp.MaybeEncodingError, '__init__', make_encoding_error)

    def make_join_exited(orig):
        def _join_exited_workers(pool):
            before = list(pool)
            cleaned = orig(pool)
            # Those it cleaned up (its own reading of their exit codes: one taken earlier may
            # have missed a worker that was still becoming a zombie).
            if cleaned:
                for w in before:
                    if w not in pool and w.exitcode not in (None, 0) and hasattr(w, 'sentinel'):
                        _ended(w, asked=False)
            return cleaned
        return _join_exited_workers

    replace(mpp.Pool, '_join_exited_workers', make_join_exited)

    def make_terminate_pool(orig):
        def _terminate_pool(cls, taskqueue, inqueue, outqueue, pool, *rest):
            alive = [w for w in pool if hasattr(w, 'sentinel') and w.exitcode is None]
            try:
                orig(cls, taskqueue, inqueue, outqueue, pool, *rest)
            except BaseException as e:
                _terminated(alive, True)
                drop_own_frame(e)
                raise
            # The pool's cache comes last; what it still holds never completes. Most pools end
            # (leaving `with`) with nothing left: then no worker was running anything.
            cache = rest[-1] if rest else None
            pending = [getattr(r, '_ps', None) for r in list(cache.values())] if cache else []
            _terminated(alive, any(pending))
            ps = getattr(cache, '_ps', None)
            if ps is not None and alive and any(pending) and state.rec is not None:
                drop_unstarted(ps, pending)
            if issubclass(cls, mpp.ThreadPool):
                # Its task handler has ended (joined above): single tasks (apply_async) it left
                # are never handed on. A map's tasks are a generator it had not run through,
                # never numbered.
                _drop(t for batch in _emptied(taskqueue) if batch is not None and isinstance(batch[0], list) for t in batch[0])
        return _terminate_pool

    replace(mpp.Pool, '_terminate_pool', make_terminate_pool)

    def make_help_finish(orig):
        def _help_stuff_finish(inqueue, task_handler, size):
            _drop(_emptied(inqueue))
            return orig(inqueue, task_handler, size)
        return _help_stuff_finish

    # A ThreadPool's terminate() cannot stop a thread: a task a worker took ends as it would.
    # What it drops, never to run, is what its workers' queue still holds, which this empties.
    replace(mpp.ThreadPool, '_help_stuff_finish', make_help_finish)


def _emptied(q):
    items = []
    try:
        while True:
            items.append(q.get(block=False))
    except queue.Empty:
        pass
    return items


def _drop(tasks):
    """A terminated ThreadPool's queued tasks, (job, i, func, args, kwds): each traced one is
    drawn as never run, as the JavaScript runtime draws what a terminated pool dropped."""
    if state.rec is None:
        return
    lane = None
    for t in tasks:
        if t is not None and isinstance(t[2], TaskFunction):
            if lane is None:
                lane = state.lanes.current()
            state.rec(R.TASK_DROP, lane, t[2].task, R.CANCELLED)


def _terminated(workers, busy):
    """Worker processes that terminate() ended (those that ended by themselves recorded it);
    busy: the pool had work left, which they may have been running."""
    for w in workers:
        if w.exitcode is not None and w.exitcode != 0:
            _ended(w, asked=True, why_lost='the pool was terminated while it ran' if busy else None)


def _ended(proc, asked, why_lost=None):
    init = getattr(proc, '_ps_init', None)
    ps = pool_state(init.pool) if init is not None else None
    if ps is not None and state.rec is not None:
        record_end(ps, proc, asked, why_lost)


def record_end(ps, proc, asked, why_lost=None):
    try:
        process_ended(ps, proc, asked, why_lost)
    except Exception as e:
        # The tracer's own trouble must not become the program's.
        R.say('poolscope tracer: could not record the end of %s: %r' % (proc.name, e))
