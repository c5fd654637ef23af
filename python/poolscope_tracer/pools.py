"""multiprocessing.pool's Pool and ThreadPool (their subclasses and context pools too), traced
by patching the classes in place.

- Pool.__init__ records the pool and hands every worker an Init carrying the pool's id; the
  module's `worker` function, which every worker thread or process runs, puts it on a lane.
- apply_async, _map_async (map, starmap and their async forms), imap and imap_unordered
  record the job at the user's line; apply_async hands the pool the Job in place of the
  function (a job of one task is its task's function), a map's chunks each get a Task, with
  their task ids, as the pool's task handler takes them (_guarded_task_generation).
- _handle_results is the result-handler thread's target: that thread is the pool's Callback
  lane, and its death (docs/SEMANTICS.md A.7) is recorded.
- A job is ready when the pool drops it from its cache (_PoolCache.__delitem__), after its
  callbacks: one hook for every kind of result.
"""
import threading
import weakref

import multiprocessing.pool as mpp

from . import records as R
from . import state, waits, workers
from .calls import Callback, Init, PoolState, Task, adopt_job, issue_job, issue_task, result_in
from .patching import replace
from .sites import definition_site, drop_own_frame, error_text, name_of, preview_args, user_caller

#: Handoffs from a patched method to what it constructs on the same thread: the PoolState of
#: the pool being made (for its cache), the Job of the result object being made.
_tls = threading.local()


def _cpu_count():
    import os
    count = getattr(os, 'process_cpu_count', os.cpu_count)
    return count() or 1


def _valid(processes, maxtasksperchild):
    """Whether Pool.__init__ will accept these (it checks them before it starts anything)."""
    ok_procs = processes is None or (isinstance(processes, int) and processes >= 1)
    ok_max = maxtasksperchild is None or (isinstance(maxtasksperchild, int) and maxtasksperchild > 0)
    return ok_procs and ok_max


def _patch_pool_init():
    def make(orig):
        def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None, context=None):
            ps = None
            try:
                if state.rec is None or not _valid(processes, maxtasksperchild) or (initializer is not None and not callable(initializer)):
                    return orig(self, processes, initializer, initargs, maxtasksperchild, context)
                kind = 'ThreadPool' if isinstance(self, mpp.ThreadPool) else 'Pool'
                ps = PoolState(state.pool_ids.new(), kind, processes if processes is not None else _cpu_count())
                ps.ref = weakref.ref(self)
                workers.register(ps)
                site, _ = user_caller(2)
                w = state.writer
                state.lanes.declare(-ps.id, R.LANE_CALLBACK, ps.id, 'Callback')
                state.rec(R.POOL, state.lanes.current(), ps.id, R.POOL_CREATED, w.str(site), ps.size, w.str(name_of(initializer) if initializer else None), w.str(definition_site(initializer) if initializer else None), text=kind)
                self._ps = _tls.pool = ps
                orig(self, processes, Init(initializer, ps.id, False, ps), initargs, maxtasksperchild, context)
            except BaseException as e:
                if ps is not None:
                    state.rec(R.POOL, state.lanes.current(), ps.id, R.POOL_BROKEN, text=error_text(e))
                drop_own_frame(e)
                raise
            finally:
                _tls.pool = None
        return __init__

    replace(mpp.Pool, '__init__', make)

    def make_cache_init(orig):
        def __init__(self, *args, **kwds):
            orig(self, *args, **kwds)
            self._ps = getattr(_tls, 'pool', None)
        return __init__

    replace(mpp._PoolCache, '__init__', make_cache_init)


def _pool_state(pool):
    return pool.__dict__.get('_ps')


def _traced_pool(pool):
    """The pool's state if its jobs are to be recorded now (a running pool, tracing tasks)."""
    ps = pool.__dict__.get('_ps')
    return ps if ps is not None and state.tasks and pool._state == mpp.RUN else None


def _callbacks(job, site, callback, error_callback):
    return (None if callback is None else Callback(callback, job, R.CB_RESULT, site),
            None if error_callback is None else Callback(error_callback, job, R.CB_ERROR, site))


def _patch_issuing():
    def make_apply_async(orig):
        def apply_async(self, func, args=(), kwds={}, callback=None, error_callback=None):
            try:
                # _traced_pool, written out: once per task
                ps = self.__dict__.get('_ps')
                if ps is None or not state.tasks or self._state != mpp.RUN:
                    return orig(self, func, args, kwds, callback, error_callback)
                site, api = user_caller(2)
                job = _tls.job = issue_task(ps, api or 'apply_async', site, func, args, kwds, True)
                if callback is not None or error_callback is not None:
                    callback, error_callback = _callbacks(job, site, callback, error_callback)
                return orig(self, job, args, kwds, callback, error_callback)
            except BaseException as e:
                drop_own_frame(e)
                raise
            finally:
                _tls.job = None
        return apply_async

    replace(mpp.Pool, 'apply_async', make_apply_async)

    def make_map_async(orig):
        def _map_async(self, func, iterable, mapper, chunksize=None, callback=None, error_callback=None):
            try:
                ps = _traced_pool(self)
                if ps is None:
                    return orig(self, func, iterable, mapper, chunksize, callback, error_callback)
                site, api = user_caller(2)
                if not hasattr(iterable, '__len__'):
                    iterable = list(iterable)
                job = _tls.job = issue_job(ps, api or 'map_async', site, func, _chunk_count(self, len(iterable), chunksize))
                callback, error_callback = _callbacks(job, site, callback, error_callback)
                return orig(self, func, iterable, mapper, chunksize, callback, error_callback)
            except BaseException as e:
                drop_own_frame(e)
                raise
            finally:
                _tls.job = None
        return _map_async

    replace(mpp.Pool, '_map_async', make_map_async)

    def make_imap(orig, api):
        def imap(self, func, iterable, chunksize=1):
            try:
                ps = _traced_pool(self)
                if ps is not None:
                    site, _ = user_caller(2)
                    _tls.job = issue_job(ps, api, site, func, 0)
                return orig(self, func, iterable, chunksize)
            except BaseException as e:
                drop_own_frame(e)
                raise
            finally:
                _tls.job = None
        return imap

    replace(mpp.Pool, 'imap', lambda orig: make_imap(orig, 'imap'))
    replace(mpp.Pool, 'imap_unordered', lambda orig: make_imap(orig, 'imap_unordered'))

    def make_generation(orig):
        def _guarded_task_generation(self, result_job, func, iterable):
            tasks = orig(self, result_job, func, iterable)
            job = getattr(self._cache.get(result_job), '_ps', None)
            return tasks if job is None else _numbered(tasks, job)
        return _guarded_task_generation

    replace(mpp.Pool, '_guarded_task_generation', make_generation)


def _chunk_count(pool, n, chunksize):
    """How many tasks _map_async makes of n items (as it computes it)."""
    try:
        if chunksize is None:
            chunksize, extra = divmod(n, len(pool._pool) * 4)
            chunksize += bool(extra)
        return 0 if n == 0 else n // chunksize + bool(n % chunksize)
    except (ZeroDivisionError, TypeError):
        return 0


def _numbered(tasks, job):
    """The task handler's tasks of a map or imap job, each with its task id and TASK_SUBMIT."""
    for t in tasks:
        job_no, i, func, args, kwds = t
        if func is mpp._helper_reraises_exception:
            # The iterable raised: the worker re-raises it; the pool checks for this very function.
            yield t
            continue
        task = state.task_ids.new()
        job.tasks.append(task)
        items = args[0][1] if func is mpp.mapstar or func is mpp.starmapstar else args
        w = state.writer
        state.rec(R.TASK_SUBMIT, job.lane, task, job.id, w.str(job.name), i, text=preview_args(items))
        yield (job_no, i, Task(func, task, True), args, kwds)


def _patch_results():
    def make_apply_result_init(orig):
        # Its signature written out (the same from 3.9 to 3.13): once per task, and MapResult's
        # calls it too.
        def __init__(self, pool, callback, error_callback):
            orig(self, pool, callback, error_callback)
            adopt_job(_tls, self)
        return __init__

    def make_imap_init(orig):
        def __init__(self, *args, **kwds):
            orig(self, *args, **kwds)
            adopt_job(_tls, self)
        return __init__

    replace(mpp.ApplyResult, '__init__', make_apply_result_init)
    replace(mpp.IMapIterator, '__init__', make_imap_init)

    replace(mpp.MapResult, '_set', lambda orig: _observed(orig, _chunk_outcome))
    replace(mpp.IMapIterator, '_set', lambda orig: _observed(orig, _item_outcome))
    replace(mpp.IMapUnorderedIterator, '_set', lambda orig: _observed(orig, _item_outcome))

    def make_delitem(orig):
        def __delitem__(self, item):
            result = dict.get(self, item)
            orig(self, item)
            job = getattr(result, '_ps', None)
            if job is not None:
                failed = job.failed or getattr(result, '_success', True) is False
                state.rec(R.JOB_READY, job.lane, job.id, R.ERROR if failed else R.OK, 0 if job.result_in else 1)
        return __delitem__

    replace(mpp._PoolCache, '__delitem__', make_delitem)


def _observed(orig, seen):
    """A result's _set(i, outcome), which the result-handler thread calls as outcomes come in
    (running the callbacks), with seen(result, job, i, outcome) first."""
    def _set(self, i, obj):
        try:
            job = self.__dict__.get('_ps')
            if job is not None:
                seen(self, job, i, obj)
            return orig(self, i, obj)
        except BaseException as e:
            drop_own_frame(e)
            raise
    return _set


def _chunk_outcome(result, job, i, obj):
    """A map's chunk: the first error is the one its error callback gets (SEMANTICS 4)."""
    ok = obj[0]
    task = job.tasks[i] if i < len(job.tasks) else 0
    if not ok and result._success:
        job.failed = True
        job.err_task = task
    if result._number_left == 1 and (result._callback if ok and result._success else result._error_callback):
        result_in(job, task)


def _item_outcome(result, job, i, obj):
    if not obj[0]:
        job.failed = True


def _patch_handler():
    def make(orig):
        def _handle_results(outqueue, get, cache):
            ps = getattr(cache, '_ps', None)
            if ps is not None and state.rec is not None:
                state.lanes.bind(-ps.id, R.LANE_CALLBACK, ps.id)
            try:
                return orig(outqueue, get, cache)
            except BaseException as e:
                if ps is not None:
                    ps.handler_error = error_text(e)
                    state.rec(R.POOL, state.lanes.current(), ps.id, R.POOL_HANDLER_DIED, text=ps.handler_error)
                drop_own_frame(e)
                raise
        return _handle_results

    replace(mpp.Pool, '_handle_results', make)


def why_never(pool, result=None):
    """Why `result` (None: every job of the pool) can never become ready, or None if it still may."""
    ps = _pool_state(pool)
    if ps is None:
        return None
    if not pool._result_handler.is_alive():
        if pool._state == mpp.TERMINATE:
            return 'the pool was terminated: the jobs it had not finished never complete'
        if ps.handler_error is not None:
            return "the pool's result handler thread died (%s): no result is delivered any more" % ps.handler_error.split('\n', 1)[0]
        return "the pool's result handler thread is gone: no result is delivered any more"
    if ps.init_failed >= ps.size and ps.init_ok == 0:
        return 'the initializer raised in every worker (%d times): the pool can never run a task' % ps.init_failed
    job = getattr(result, '_ps', None)
    if job is not None and job.swallowed is not None:
        return 'its callback raised %s, which the result handler swallowed: this job never becomes ready' % job.swallowed.split('\n', 1)[0]
    if job is not None and ps.lost.intersection(job.tasks):
        return 'a worker died while running its task: that task is lost and its result never comes'
    if ps.kind == 'ThreadPool' and pool._state == mpp.RUN and not any(t.is_alive() for t in list(pool._pool)):
        return 'every worker thread of the pool has died and none is started again while it runs'
    return None


def _result_outcome(self, error, value, timeout):
    failed = self.ready() and not self._success
    if error is None:
        return (R.WAIT_OK if self.ready() or timeout is None else R.WAIT_TIMEOUT), False
    return (R.WAIT_ERROR if failed or not isinstance(error, mpp.TimeoutError) else R.WAIT_TIMEOUT), failed


def _next_outcome(self, error, value, timeout):
    if error is None or isinstance(error, StopIteration):
        return R.WAIT_OK, False
    if isinstance(error, mpp.TimeoutError):
        return R.WAIT_TIMEOUT, False
    return R.WAIT_ERROR, True


def _result_blocking(self):
    pool = self._pool
    return None if pool is None else (lambda: self._event.wait(waits.POLL), lambda: why_never(pool, self))


def _next_blocking(self):
    pool = self._pool
    return None if pool is None else (lambda: _imap_has_next(self), lambda: why_never(pool, self))


def _got(result):
    """What get() returns at once: the value of a result there that went well."""
    return result._value if result._event.is_set() and result._success else waits.WAITS


def _ready(result):
    return None if result._event.is_set() else waits.WAITS


def _patch_waits():
    replace(mpp.ApplyResult, 'get', lambda orig: waits.traced(orig, 'get', _result_outcome, _result_blocking, at_once=_got))
    replace(mpp.ApplyResult, 'wait', lambda orig: waits.traced(orig, 'wait', _result_outcome, _result_blocking, at_once=_ready, user_only=False))
    original_next = replace(mpp.IMapIterator, 'next', lambda orig: waits.traced(orig, 'next', _next_outcome, _next_blocking))
    if mpp.IMapIterator.__dict__.get('__next__') is original_next:
        mpp.IMapIterator.__next__ = mpp.IMapIterator.next

    replace(mpp.Pool, 'join', lambda orig: waits.traced(orig, 'join', blocking=_join_blocking, timeout_of=waits.no_timeout, drawn=_joining))


def _joining(pool, args, kwargs):
    """join() before close() raises at once: no wait."""
    return pool._state != mpp.RUN


def _join_blocking(pool):
    handler = pool._worker_handler
    return lambda: _joined(handler), lambda: _stuck_job(pool)


def _imap_has_next(it):
    with it._cond:
        if it._items or it._index == it._length:
            return True
        it._cond.wait(waits.POLL)
        return bool(it._items) or it._index == it._length


def _joined(thread):
    thread.join(waits.POLL)
    return not thread.is_alive()


def _stuck_job(pool):
    for result in list(pool._cache.values()):
        reason = why_never(pool, result)
        if reason is not None:
            return reason
    return None


def _patch_lifecycle():
    def make(orig, action, only_running):
        def method(self):
            ps = _pool_state(self)
            if ps is not None and state.rec is not None and (self._state == mpp.RUN or not only_running):
                site, _ = user_caller(2)
                state.rec(R.POOL, state.lanes.current(), ps.id, action, state.writer.str(site))
            try:
                return orig(self)
            except BaseException as e:
                drop_own_frame(e)
                raise
        return method

    replace(mpp.Pool, 'close', lambda orig: make(orig, R.POOL_CLOSE, True))
    replace(mpp.Pool, 'terminate', lambda orig: make(orig, R.POOL_TERMINATE, False))


def install():
    _patch_pool_init()
    _patch_issuing()
    _patch_results()
    _patch_handler()
    _patch_waits()
    _patch_lifecycle()
    workers.patch_pool_worker()
