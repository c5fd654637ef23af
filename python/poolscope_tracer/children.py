"""The processes a run starts: each records into its own file from its first moment.

- Forked children inherit the tracer and start their own file (state.py, os.register_at_fork).
- Spawned children, and the forkserver that forks them, are fresh interpreters: multiprocessing
  starts them with `python -c <program>` through util.spawnv_passfds; the program is prefixed
  with the tracer's start, so the child records before it even imports the user's module (which
  spawn does, and whose top-level prints are the child's). A pool's worker is put on its lane
  there at once.
- The parent records nothing for a start: the worker itself does (workers.py).
"""
import os
import sys
import threading

import multiprocessing.process as mproc
import multiprocessing.util as mutil

from . import records as R
from . import state, workers
from .calls import Init
from .patching import replace
from .sites import drop_own_frame

_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_tls = threading.local()


def bootstrap(folder, trace_tasks, pool, replacing, name):
    """The first thing a spawned child runs. pool: the id of the pool it works for (-1: none)."""
    from . import tracer
    tracer.install(folder, trace_tasks)
    if pool >= 0:
        lane = state.lanes.bind(0, R.LANE_WORKER, pool, name)
        state.rec(R.WORKER, lane, R.WORKER_START, os.getpid(), 1 if replacing else 0)
        if replacing:
            state.rec(R.POOL, lane, pool, R.POOL_RESPAWN, -1, lane)
        workers.started_at_bootstrap = True


def _worker_init(proc):
    """The Init a pool handed this process (pool workers only)."""
    for a in getattr(proc, '_args', ()):
        if type(a) is Init:
            return a
    return None


def patch():
    def make_start(orig):
        def start(self):
            init = _worker_init(self)
            ps = init.pool_state if init is not None else None
            if ps is not None:
                init.replacing = ps.started >= ps.size
                ps.started += 1
                # start() drops _args once the process runs: who sees it end needs its pool.
                self._ps_init = init
            _tls.starting = (init, self.name)
            try:
                orig(self)
            except BaseException as e:
                drop_own_frame(e)
                raise
            finally:
                _tls.starting = None
            if ps is not None:
                workers.process_started(ps, self.pid)
        return start

    replace(mproc.BaseProcess, 'start', make_start)

    def make_spawnv(orig):
        def spawnv_passfds(path, args, passfds):
            if state.rec is not None and '-c' in args:
                i = args.index('-c') + 1
                if i < len(args):
                    args = list(args)
                    # A spawned process runs spawn_main; the forkserver (started on the way) works for no pool.
                    args[i] = _bootstrap_code('spawn_main' in args[i]) + args[i]
            return orig(path, args, passfds)
        return spawnv_passfds

    replace(mutil, 'spawnv_passfds', make_spawnv)


def _bootstrap_code(spawned):
    init, name = (getattr(_tls, 'starting', None) if spawned else None) or (None, '')
    pool = init.pool if init is not None else -1
    replacing = bool(init is not None and init.replacing)
    return ('import sys; sys.path.insert(0, %r); import poolscope_tracer.children as _ps; '
            '_ps.bootstrap(%r, %r, %d, %r, %r); del sys.path[0], _ps\n') % (_PACKAGE_PARENT, state.folder, state.tasks, pool, replacing, name)
