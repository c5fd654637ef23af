"""Pool workers, threads or processes: each draws on a lane of its pool from its first moment,
and its end is recorded by whoever sees it.

A worker that returns records its own exit. A worker thread that dies records its death
itself; a worker process that dies (a crash, a signal, os._exit, a raising initializer) is seen
by the process that made the pool, which reads the dead worker's record file to tell what it
was doing (a task it never finished is lost) and writes the death on the worker's lane.
"""
import os
import threading
import weakref

import multiprocessing.pool as mpp

from . import records as R
from . import state
from .calls import Init
from .patching import replace
from .sites import drop_own_frame, error_text

#: This process's pools by id, for the worker threads it runs and the deaths it sees.
_pools = weakref.WeakValueDictionary()


def register(ps):
    _pools[ps.id] = ps


def start_worker(init, in_process):
    """Puts the calling thread (a worker of init's pool) on its lane and records its start."""
    ps = init.pool_state
    replacing = init.replacing
    if ps is not None and not in_process:
        ps.started += 1
        replacing = ps.started > ps.size
    key = 0 if in_process else None
    name = threading.current_thread().name if not in_process else _process_name()
    lane = state.lanes.bind(key, R.LANE_WORKER, init.pool, name)
    state.rec(R.WORKER, lane, R.WORKER_START, os.getpid(), 1 if replacing else 0)
    if replacing:
        state.rec(R.POOL, lane, init.pool, R.POOL_RESPAWN, -1, lane)
    return lane


def _process_name():
    import multiprocessing
    return multiprocessing.current_process().name


def run_worker(target, init, args):
    """Runs a pool's worker function as a traced worker of init's pool."""
    in_process = threading.current_thread() is threading.main_thread()
    lane = start_worker(init, in_process)
    try:
        target(*args)
    except BaseException as e:
        if not in_process:
            state.rec(R.WORKER, lane, R.WORKER_DIED, -1, 0, 0, text='the worker thread ended with %s' % error_text(e))
        drop_own_frame(e)
        raise
    state.rec(R.WORKER, lane, R.WORKER_EXIT, 0)


def patch_pool_worker():
    def make(orig):
        def worker(inqueue, outqueue, initializer=None, initargs=(), maxtasks=None, wrap_exception=False):
            if type(initializer) is not Init or state.rec is None:
                return orig(inqueue, outqueue, initializer, initargs, maxtasks, wrap_exception)
            try:
                return run_worker(orig, initializer, (inqueue, outqueue, initializer, initargs, maxtasks, wrap_exception))
            except BaseException as e:
                drop_own_frame(e)
                raise
        return worker

    # The pool looks `worker` up in its module each time it starts one.
    replace(mpp, 'worker', make)
