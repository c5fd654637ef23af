"""concurrent.futures: ThreadPoolExecutor, ProcessPoolExecutor (and subclasses) and Future,
traced by patching the classes in place.

- __init__ records the executor and hands every worker an Init with the pool's id; the
  modules' worker functions (_worker, _process_worker) put their worker on a lane.
- submit records the job at the user's line (executor.map submits through it) and hands the
  executor the Job in place of the function (a job of one task is its task's function), which
  _WorkItem's constructor gives to the future.
- A job becomes ready where its future is settled: a ThreadPoolExecutor's task end says so;
  a ProcessPoolExecutor's manager thread records it as it takes in the result, or as it fails
  the pending futures of a pool that broke; a thread executor whose initializer failed, as it
  drains its queue. Future's own set_result and set_exception are left as they are.
- A future's done callbacks run where Python runs them: a ThreadPoolExecutor's in the worker
  that finished the task, a ProcessPoolExecutor's in its manager thread (the pool's Callback
  lane), an already-done future's at once in the caller.
"""
import signal

import concurrent.futures as cf
import concurrent.futures._base as base
import concurrent.futures.process as cfp
import concurrent.futures.thread as cft

from . import records as R
from . import state, waits, workers
from .calls import Callback, Init, Job, PoolState, issue_task, unsendable
from .patching import replace
from .sites import definition_site, drop_own_frame, error_text, name_of, preview_args, user_caller

_BROKEN_THREADS = 'BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore'


def _patch_init(cls, kind):
    def make(orig):
        def __init__(self, max_workers=None, *args, **kwargs):
            try:
                # After thread_name_prefix (threads) or mp_context (processes) comes the initializer.
                initializer = args[1] if len(args) > 1 else kwargs.get('initializer')
                if state.rec is None or (initializer is not None and not callable(initializer)):
                    return orig(self, max_workers, *args, **kwargs)
                ps = PoolState(state.pool_ids.new(), kind, 0)
                init = Init(initializer, ps.id, False, ps)
                if len(args) > 1:
                    args = args[:1] + (init,) + args[2:]
                else:
                    kwargs['initializer'] = init
                orig(self, max_workers, *args, **kwargs)
                ps.size = self._max_workers
                self._ps = ps
                workers.register(ps)
                site, _ = user_caller(2)
                w = state.writer
                if kind == 'ProcessPoolExecutor':
                    state.lanes.declare(-ps.id, R.LANE_CALLBACK, ps.id, 'Callback')
                state.rec(R.POOL, state.lanes.current(), ps.id, R.POOL_CREATED, w.str(site), ps.size, w.str(name_of(initializer) if initializer else None), w.str(definition_site(initializer) if initializer else None), text=kind)
            except BaseException as e:
                drop_own_frame(e)
                raise
        return __init__

    replace(cls, '__init__', make)


def _traced_executor(ex):
    """The executor's state if its jobs are to be recorded now (not shut down or broken, tracing tasks)."""
    ps = ex.__dict__.get('_ps')
    open_ = not (ex._broken or getattr(ex, '_shutdown', False) or getattr(ex, '_shutdown_thread', False))
    return ps if ps is not None and state.tasks and open_ else None


def _patch_submit(cls, in_threads):
    def make(orig):
        def submit(self, fn, /, *args, **kwargs):
            try:
                ps = _traced_executor(self)
                if ps is None:
                    return orig(self, fn, *args, **kwargs)
                site, api = user_caller(2)
                # A process executor's map submits chunks: partial(_process_chunk, fn) and the chunk.
                items = args[0] if not in_threads and getattr(fn, 'func', None) is cfp._process_chunk and args else args
                return orig(self, issue_task(ps, api or 'submit', site, fn, items, kwargs, False, in_threads), *args, **kwargs)
            except BaseException as e:
                drop_own_frame(e)
                raise
        return submit

    replace(cls, 'submit', make)


def _patch_work_item(module):
    def make(orig):
        def __init__(self, future, fn, args, kwargs):
            orig(self, future, fn, args, kwargs)
            # Before the work item is queued: a process executor's manager thread may settle the future before submit returns.
            if type(fn) is Job:
                future._ps = fn
        return __init__

    replace(module._WorkItem, '__init__', make)


def _patch_workers():
    replace(cft, '_worker', workers.traced_worker)
    replace(cfp, '_process_worker', workers.traced_worker)

    def make_wrapped_error(orig):
        def __init__(self, exc, tb):
            orig(self, exc, tb)
            # Made for a task's error, or, after the task returned, for a result that cannot be pickled.
            unsendable(error_text(exc), True)
        return __init__

    replace(cfp._ExceptionWithTraceback, '__init__', make_wrapped_error)

    def make_broken(orig):
        def _initializer_failed(self):
            ps = self.__dict__.get('_ps')
            if ps is None or state.rec is None:
                return orig(self)
            if not self._broken:
                state.rec(R.POOL, state.lanes.current(), ps.id, R.POOL_BROKEN, text=_BROKEN_THREADS)
            queue = self._work_queue
            self._work_queue = _FailingAsDrained(queue)
            try:
                return orig(self)
            finally:
                self._work_queue = queue
        return _initializer_failed

    replace(cf.ThreadPoolExecutor, '_initializer_failed', make_broken)


class _FailingAsDrained:
    """A thread executor's work queue while _initializer_failed drains it: each work item taken
    out is a job about to fail with BrokenThreadPool (its task never ran, so no task end says so)."""

    def __init__(self, queue):
        self._queue = queue

    def get_nowait(self):
        item = self._queue.get_nowait()
        if item is not None:
            _ready(item.future, R.ERROR)
        return item

    def __getattr__(self, name):
        return getattr(self._queue, name)


def _ready(future, status):
    """Records that the job of `future` becomes ready with `status`, if it is a job not settled yet."""
    job = future.__dict__.get('_ps')
    if job is not None and future._state in _NOT_DONE:
        state.rec(R.JOB_READY, job.lane, job.id, status, 1)


def _patch_manager():
    manager = cfp._ExecutorManagerThread

    def make_run(orig):
        def run(self):
            executor = self.executor_reference()
            ps = executor.__dict__.get('_ps') if executor is not None else None
            executor = None
            self._ps = ps
            if ps is not None and state.rec is not None:
                state.lanes.bind(-ps.id, R.LANE_CALLBACK, ps.id)
            return orig(self)
        return run

    replace(manager, 'run', make_run)

    def make_process_result(orig):
        def process_result_item(self, result_item):
            # A task's outcome, about to settle its future (a worker's exit is an int, or has no work id).
            item = self.pending_work_items.get(getattr(result_item, 'work_id', None))
            if item is not None and state.rec is not None:
                _ready(item.future, R.ERROR if result_item.exception else R.OK)
            return orig(self, result_item)
        return process_result_item

    replace(manager, 'process_result_item', make_process_result)

    def make_terminate_broken(orig):
        def terminate_broken(self, cause):
            ps = self.__dict__.get('_ps')
            workers_ = list(self.processes.values())
            # The futures it is about to fail: it forgets them as it does.
            failing = [w.future for w in list(self.pending_work_items.values()) if not w.future.done()]
            if ps is not None and state.rec is not None:
                for future in failing:
                    _ready(future, R.ERROR)
            try:
                orig(self, cause)
            except BaseException as e:
                drop_own_frame(e)
                raise
            finally:
                if ps is not None and state.rec is not None:
                    _broken(ps, workers_, cause)
                    workers.drop_unstarted(ps, [f.__dict__.get('_ps') for f in failing])
        return terminate_broken

    replace(manager, 'terminate_broken', make_terminate_broken)


def _broken(ps, procs, cause):
    """A process executor broke: the workers that died did it (terminate_broken ended the rest
    with SIGTERM, which it reaped before returning, and the tasks they ran with them)."""
    dead = [p for p in procs if p.exitcode not in (None, 0, -signal.SIGTERM)]
    for p in dead:
        workers.record_end(ps, p, asked=False)
    unusable = 'A child process terminated abruptly, the process pool is not usable anymore'
    why = 'BrokenProcessPool: ' + unusable
    if dead:
        why += ' (%s)' % '; '.join('%s %s' % (p.name, workers.how_it_ended(p.exitcode)) for p in dead)
    elif cause:
        why += '\n' + ''.join(cause)
    state.rec(R.POOL, state.lanes.current(), ps.id, R.POOL_BROKEN, text=why)
    for p in procs:
        if p.exitcode not in (None, 0) and p not in dead:
            workers.record_end(ps, p, asked=True, why_lost='the executor broke while it ran: ' + unusable)


def _result_outcome(self, error, value, timeout):
    """result(): the job's error reached the user if it raised it."""
    if error is None:
        return R.WAIT_OK, False
    return (R.WAIT_ERROR if self.done() else R.WAIT_TIMEOUT), self._state == base.FINISHED


def _exception_outcome(self, error, value, timeout):
    """exception(): the job's error reached the user if it returned one."""
    if error is None:
        return R.WAIT_OK, value is not None
    return (R.WAIT_ERROR if self.done() else R.WAIT_TIMEOUT), False


_NOT_DONE = (base.PENDING, base.RUNNING)


def _patch_future():
    F = base.Future

    def make_cancel(orig):
        def cancel(self):
            job = self.__dict__.get('_ps')
            pending = self._state == base.PENDING
            cancelled = orig(self)
            if job is not None and cancelled and pending:
                state.rec(R.TASK_DROP, job.lane, job.tasks[0], R.CANCELLED)
                state.rec(R.JOB_READY, job.lane, job.id, R.CANCELLED, 1)
            return cancelled
        return cancel

    replace(F, 'cancel', make_cancel)

    def make_add(orig):
        def add_done_callback(self, fn):
            job = self.__dict__.get('_ps')
            if job is not None and state.tasks:
                site, _ = user_caller(2)
                fn = Callback(fn, job, R.CB_DONE, site)
            try:
                return orig(self, fn)
            except BaseException as e:
                drop_own_frame(e)
                raise
        return add_done_callback

    replace(F, 'add_done_callback', make_add)

    replace(F, 'result', lambda orig: waits.traced(orig, 'result', _result_outcome, at_once=_result_there))
    replace(F, 'exception', lambda orig: waits.traced(orig, 'exception', _exception_outcome, at_once=_no_exception))


def _result_there(future):
    """What result() returns at once: the value of a future done well."""
    return future._result if future._state == base.FINISHED and future._exception is None else waits.WAITS


def _no_exception(future):
    return None if future._state == base.FINISHED and future._exception is None else waits.WAITS


def _wait_outcome(fs, error, done, timeout):
    """futures.wait: a timeout is when it returned with futures still not done, waiting for all."""
    if error is not None:
        return R.WAIT_ERROR, False
    return (R.WAIT_TIMEOUT if done.not_done and timeout is not None and not done.done else R.WAIT_OK), False


def _patch_module_waits():
    def make_wait(orig):
        return waits.traced(orig, 'wait', _wait_outcome)

    def make_as_completed(orig):
        def as_completed(fs, timeout=None):
            return _each_a_wait(orig(fs, timeout), timeout)
        return as_completed

    for name, make in (('wait', make_wait), ('as_completed', make_as_completed)):
        original = replace(base, name, make)
        if cf.__dict__.get(name) is original:
            setattr(cf, name, getattr(base, name))


def _each_a_wait(futures, timeout):
    """as_completed's iterator, each step a wait on the user's line (the loop's)."""
    while True:
        w = waits.begin('as_completed', -1, timeout) if state.rec is not None else None
        try:
            f = next(futures)
        except StopIteration:
            if w is not None:
                waits.end(w, R.WAIT_OK)
            return
        except BaseException as e:
            if w is not None:
                waits.end(w, R.WAIT_TIMEOUT if isinstance(e, base.TimeoutError) else R.WAIT_ERROR)
            drop_own_frame(e)
            raise
        if w is not None:
            waits.end(w, R.WAIT_OK)
        yield f


def _patch_shutdown(cls):
    replace(cls, 'shutdown', lambda orig: waits.traced(orig, 'shutdown', timeout_of=waits.no_timeout, drawn=_waits_to_shut_down))

    def make(orig):
        def shutdown(self, *args, **kwargs):
            try:
                ps = self.__dict__.get('_ps')
                # Its own flag: a broken process executor counts as shut down without a shutdown() call.
                if ps is not None and state.rec is not None and not ps.shut_down:
                    ps.shut_down = True
                    site, _ = user_caller(2)
                    state.rec(R.POOL, state.lanes.current(), ps.id, R.POOL_SHUTDOWN, state.writer.str(site))
                return orig(self, *args, **kwargs)
            except BaseException as e:
                drop_own_frame(e)
                raise
        return shutdown

    replace(cls, 'shutdown', make)


def _waits_to_shut_down(executor, args, kwargs):
    return args[0] if args else kwargs.get('wait', True)


def install():
    _patch_init(cf.ThreadPoolExecutor, 'ThreadPoolExecutor')
    _patch_init(cf.ProcessPoolExecutor, 'ProcessPoolExecutor')
    _patch_submit(cf.ThreadPoolExecutor, True)
    _patch_submit(cf.ProcessPoolExecutor, False)
    _patch_work_item(cft)
    _patch_work_item(cfp)
    _patch_workers()
    _patch_manager()
    _patch_future()
    _patch_module_waits()
    _patch_shutdown(cf.ThreadPoolExecutor)
    _patch_shutdown(cf.ProcessPoolExecutor)
