"""The lanes of this process: which lane each thread draws on.

A lane is declared once per file with a LANE record: a=local id, b=kind, c=pool id (-1 none),
d=pid, e=key, text=the thread's name. The host keys lanes by (pid, key) across every file of
the run, so a parent can write on a child process's lane (the child's main thread has key 0)
and the callback lane of pool P (key -P) is one lane whichever thread of the process writes
on it. Other threads get keys 1, 2, ... in the order they first record something.

A process started by spawn or forkserver may print (importing the program) before it learns
that it is a pool's worker: its lane is then declared again, same id, with its new kind.
"""
import itertools
import os
import threading

from . import records as R

MAIN_THREAD_KEY = 0


def _process_name():
    """Another process of the run (one the program started) goes by its multiprocessing name."""
    import sys
    mp = sys.modules.get('multiprocessing')
    return mp.current_process().name if mp is not None else None


class Lanes:
    def __init__(self, writer, root):
        self._writer = writer
        #: the run's own process (its main thread is the run's Main)
        self._root = root
        self._pid = os.getpid()
        self._ids = {}
        self._lock = threading.Lock()
        #: per thread: `lane` and `kind` once it has one (read directly on the paths taken per task)
        self.tls = threading.local()
        self._keys = itertools.count(1)

    def declare(self, key, kind, pool, name, pid=None):
        """The local id of the lane (pid, key), declared with a LANE record the first time (and
        again if its kind or pool changed)."""
        pid = self._pid if pid is None else pid
        known = self._ids.get((pid, key))
        if known is None or known[1] != (kind, pool):
            with self._lock:
                known = self._ids.get((pid, key))
                if known is None or known[1] != (kind, pool):
                    lane = len(self._ids) if known is None else known[0]
                    self._writer.rec(R.LANE, lane, lane, kind, pool, pid, key, text=name)
                    known = self._ids[(pid, key)] = (lane, (kind, pool))
        return known[0]

    def current(self):
        """The calling thread's lane; a thread seen for the first time gets a lane of its own."""
        try:
            return self.tls.lane
        except AttributeError:
            thread = threading.current_thread()
            if thread is threading.main_thread():
                return self.bind(MAIN_THREAD_KEY, R.LANE_MAIN, -1, None if self._root else _process_name())
            return self.bind(next(self._keys), R.LANE_MAIN, -1)

    def bound(self):
        """The calling thread's lane if it has one yet, else None."""
        return getattr(self.tls, 'lane', None)

    def kind(self):
        """The kind of the calling thread's lane."""
        self.current()
        return self.tls.kind

    def bind(self, key, kind, pool, name=None):
        """Draws the calling thread on lane (this pid, key) from now on. key None: a new key."""
        if key is None:
            key = next(self._keys)
        lane = self.declare(key, kind, pool, name or threading.current_thread().name)
        self.tls.lane = lane
        self.tls.kind = kind
        return lane
