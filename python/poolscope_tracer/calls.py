"""The wrappers that travel with work: a task function (to the thread or process that runs
it), a callback (to the thread that calls it) and an initializer (to every worker). They
record where they really run, and leave no frame of their own in the user's tracebacks.

Task and Init are pickled to process workers; only the ids and the user's function go along.
"""
import threading

from . import records as R
from . import state, threadclock
from .sites import definition_site, drop_own_frame, error_text, keep_code, name_of, preview, preview_args


#: Per worker thread: `init_error`, the error its pool's initializer raised there (a thread
#: executor's worker then returns as if nothing happened, but it ended because of it), and
#: `last`, (id, ended well) of the last task it ran, for an end that turns out otherwise.
worker_thread = threading.local()


class TaskFunction:
    """What runs in place of the user's task function, wherever the task runs, recording the
    task's start and end: `fn` (the user's), `task` (its task id), `in_pool` (Pool semantics,
    where an exception that is not an Exception, SystemExit..., escapes the worker and the task
    is lost with it). TASK_END's e and f are the CPU time the task took on its own thread and the
    time that thread waited, runnable, for a CPU meanwhile (µs, threadclock.py): what gil-bound
    reads. `settles`: the same thread sets the job's future as soon as the task ends (a thread
    executor's): TASK_END then says the job (`id`) is ready too.

    A job of one task (apply_async, submit) is its own task function, a map's chunk is a Task;
    a worker process is sent a Task either way, which carries the ids alone."""

    __slots__ = ()

    # A task function is used once: it runs where it is called, or is pickled to the process that
    # runs it. It lets go of the user's function as it is, as the untraced pool does once it ran or
    # sent the task: a job lives as long as its result, and must not keep the function (a closure, a
    # bound method, and whatever they hold) alive with it.
    def __reduce__(self):
        fn, self.fn = self.fn, None
        return (Task, (fn, self.task, self.in_pool))

    def __call__(self, *args, **kwargs):
        fn, self.fn = self.fn, None
        rec = state.rec
        if rec is None:
            return fn(*args, **kwargs)
        try:
            lane = state.lanes.tls.lane
        except AttributeError:
            lane = state.lanes.current()
        task = self.task
        started = rec(R.TASK_START, lane, task)
        ready = self.id if self.settles else 0
        try:
            result = fn(*args, **kwargs)
        except BaseException as e:
            if not state.is_root:
                worker_thread.last = (task, False)
            cpu, wait = threadclock.since_last_task(started)
            rec(R.TASK_END, lane, task, R.LOST if self.in_pool and not isinstance(e, Exception) else R.ERROR, ready, 0, cpu, wait, error_text(e))
            drop_own_frame(e)
            raise
        if not state.is_root:
            # What unsendable() amends, in a worker process (a thread's outcome is never pickled).
            worker_thread.last = (task, True)
        cpu, wait = threadclock.since_last_task(started)
        rec(R.TASK_END, lane, task, R.OK, ready, 0, cpu, wait, preview(result))
        return result


class Task(TaskFunction):
    """One task of a job of several (a map's chunk), or any task in a worker process."""

    __slots__ = ('fn', 'task', 'in_pool')
    settles = False

    def __init__(self, fn, task, in_pool):
        self.fn = fn
        self.task = task
        self.in_pool = in_pool


class Job(TaskFunction):
    """What the tracer knows of one job in the process that issued it. A job of one task is
    also that task's function (one object per task where a program makes thousands: each one
    more that lives as long as its result costs the collector's every pass over the heap)."""

    __slots__ = ('id', 'pool', 'lane', 'name', 'tasks', 'err_task', 'result_in', 'failed', 'swallowed',
                 'fn', 'task', 'in_pool', 'settles', '__weakref__')

    def __init__(self, id, pool, lane, name, tasks, fn=None, in_pool=False, settles=False):
        #: its task ids: a tuple for a job of one task (it lives as long as its result, and a tuple
        #: of ints leaves the collector's lists), a list that grows for a map
        self.id = id
        self.pool = pool
        self.lane = lane
        self.name = name
        self.tasks = tasks
        self.err_task = 0
        self.result_in = False
        self.failed = False
        #: the KeyError its callback raised, which a pool's result handler swallows (docs/SEMANTICS.md A.7a):
        #: the job never becomes ready then
        self.swallowed = None
        #: a job of one task: as a TaskFunction (a map's job is never called)
        self.fn = fn
        self.task = tasks[0] if fn is not None else 0
        self.in_pool = in_pool
        self.settles = settles


#: (writer, {(id of a task function's code, its qualified name): (name, name's string id, definition
#: site's string id)}): string ids are the writer's, so a forked child, with a writer of its own,
#: starts again. Keyed by what the answer depends on, not by the function: a program may make a new
#: function for each task (a lambda or a closure in a loop), which must not live on here with what it
#: holds. Functions wrapped by one decorator share its code and differ by name.
_functions = (None, {})
#: Entries kept at most.
_MAX_FUNCTIONS = 1024


def _function(w, fn):
    """What a job's record says of its task function, looked up once per function."""
    global _functions
    code = getattr(fn, '__code__', None)  # a function's, or a bound method's function's
    name = getattr(fn, '__qualname__', None)  # what name_of says, where it has one
    if code is None or name is None:  # a partial, a callable object, a builtin: looked up each time
        return _looked_up(w, fn)
    if _functions[0] is not w or len(_functions[1]) >= _MAX_FUNCTIONS:
        _functions = (w, {})
    known = _functions[1]
    key = (id(code), name)
    hit = known.get(key)
    if hit is None:
        keep_code(code)
        hit = known[key] = _looked_up(w, fn)
    return hit


def _looked_up(w, fn):
    name = name_of(fn)
    return name, w.str(name), w.str(definition_site(fn))


def issue_task(ps, api, site, fn, args, kwargs, in_pool, settles=False):
    """Records a job of one task (apply_async, submit), issued at the user's `site`: the Job,
    which is the task's function too (TaskFunction)."""
    # Once per task: the common cases take no call into Python code (ids, lane, string ids).
    w = state.writer
    lanes = state.lanes
    try:
        lane = lanes.tls.lane
    except AttributeError:
        lane = lanes.current()
    name, name_id, defined = _function(w, fn)
    task = state.task_ids.take() or state.task_ids.new()
    job = Job(state.job_ids.take() or state.job_ids.new(), ps, lane, name, (task,), fn, in_pool, settles)
    shown = preview(args[0]) if len(args) == 1 and not kwargs else preview_args(args, kwargs)
    if ps.id < R.TASK_JOB_POOLS:
        ids = w.ids
        w.rec(R.TASK_JOB, lane, job.id, task, R.pack_pool_api(ps.id, ids[api]), ids[site], name_id, defined, shown)
    else:
        w.rec(R.JOB, lane, job.id, ps.id, w.str(api), w.str(site), 1, defined)
        w.rec(R.TASK_SUBMIT, lane, task, job.id, name_id, 0, 0, 0, shown)
    return job


def issue_job(ps, api, site, fn, task_count):
    """Records a job whose tasks are submitted one by one after it (map: `task_count` chunks;
    imap: 0, not known up front)."""
    w = state.writer
    lane = state.lanes.current()
    job = Job(state.job_ids.new(), ps, lane, name_of(fn), [])
    state.rec(R.JOB, lane, job.id, ps.id, w.str(api), w.str(site), task_count, w.str(definition_site(fn)))
    return job


def unsendable(error, only_if_it_ended_well):
    """The outcome of the task this thread ran last could not be sent back (it cannot be
    pickled): its end is amended with the error that goes back instead (docs/SEMANTICS.md A.13)."""
    last = getattr(worker_thread, 'last', None)
    if last is None or state.rec is None or (only_if_it_ended_well and not last[1]):
        return
    worker_thread.last = None
    state.rec(R.TASK_END, state.lanes.current(), last[0], R.ERROR, 0, 0, -1, text=error)


class Callback:
    """A result, error or done callback of one job."""

    __slots__ = ('fn', 'job', 'kind', 'name', 'site')

    def __init__(self, fn, job, kind, registered_at):
        self.fn = fn
        self.job = job
        self.kind = kind
        self.name = name_of(fn)
        self.site = definition_site(fn)
        w = state.writer
        state.rec(R.CB_REG, state.lanes.current(), job.id, kind, w.str(self.name), w.str(self.site), w.str(registered_at))

    def __call__(self, value):
        rec = state.rec
        w = state.writer
        lane = state.lanes.current()
        job = self.job
        if self.kind != R.CB_DONE and not job.result_in:
            # An apply_async's outcome, taken in by the result handler to run this (a map's last chunk says so itself).
            result_in(job, job.tasks[0] if job.tasks else 0)
        if self.kind == R.CB_ERROR:
            rec(R.RETRIEVED, lane, job.id)
        rec(R.CB_START, lane, job.id, self.kind, w.str(self.name), w.str(self.site), job.err_task if self.kind == R.CB_ERROR else 0)
        try:
            self.fn(value)
        except BaseException as e:
            text = error_text(e)
            rec(R.CB_END, lane, job.id, R.CB_THREW, text=text)
            if isinstance(e, KeyError):
                job.swallowed = text
            drop_own_frame(e)
            raise
        rec(R.CB_END, lane, job.id, R.CB_OK)


def result_in(job, task):
    """The result handler took in `task`'s outcome, the one that makes the job ready once its callback ran."""
    job.result_in = True
    state.rec(R.RESULT_IN, job.lane, job.id, task)


def adopt_job(tls, made):
    """Gives `made` (the result or work item the library just built) the job its submitting call left in `tls`."""
    job = getattr(tls, 'job', None)
    if job is not None:
        made._ps = job
        tls.job = None


class PoolState:
    """What the process that made a pool knows of it beyond the pool object itself."""

    __slots__ = ('id', 'kind', 'size', 'ref', 'started', 'init_ok', 'init_failed', 'lost', 'handler_error', 'shut_down', '__weakref__')

    def __init__(self, id, kind, size):
        self.id = id
        self.kind = kind
        self.size = size
        self.ref = None
        self.started = 0
        self.init_ok = 0
        self.init_failed = 0
        #: task ids whose worker died while running them
        self.lost = set()
        self.handler_error = None
        #: an executor's shutdown() was called
        self.shut_down = False


class Init:
    """A pool's initializer (or None), carrying the pool's id to every worker it starts.
    `replacing`: the worker it is handed to replaces one that ended. `pool_state`: the
    PoolState, in the process that made the pool only (thread workers count their runs there)."""

    __slots__ = ('fn', 'pool', 'replacing', 'pool_state')

    def __init__(self, fn, pool, replacing=False, pool_state=None):
        self.fn = fn
        self.pool = pool
        self.replacing = replacing
        self.pool_state = pool_state

    def __reduce__(self):
        return (Init, (self.fn, self.pool, self.replacing))

    def __call__(self, *args):
        fn = self.fn
        if fn is None:
            return
        rec = state.rec
        lane = state.lanes.current()
        rec(R.INIT, lane, self.pool, -1, state.writer.str(name_of(fn)))
        try:
            fn(*args)
        except BaseException as e:
            worker_thread.init_error = error_text(e)
            rec(R.INIT, lane, self.pool, R.ERROR, text=worker_thread.init_error)
            if self.pool_state is not None:
                self.pool_state.init_failed += 1
            drop_own_frame(e)
            raise
        rec(R.INIT, lane, self.pool, R.OK)
        threadclock.mark()  # the first task's clocks leave the initializer's time out
        if self.pool_state is not None:
            self.pool_state.init_ok += 1
