"""Run-wide ids (pools, jobs, tasks, waits) handed out by whichever process issues the work.

The trace builder indexes tasks, jobs and waits by id in dense arrays, so ids must be small,
unique across every process of the run and below 2**31. Each process claims blocks of ids by
creating a marker file `ids/<kind>.<n>` in the run folder with O_EXCL: the first process to
create it owns ids [n * size, (n + 1) * size). Most runs issue from one process, so its ids
count up from 1 with no gap.
"""
import functools
import os
import threading


class IdBlocks:
    def __init__(self, folder, kind, size):
        self._dir = os.path.join(folder, 'ids')
        self._kind = kind
        self._size = size
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        """Forget the blocks claimed so far: a forked child must claim its own."""
        self._lock = threading.Lock()
        self._block = -1
        self._set_count(iter(()))

    def _set_count(self, count):
        self._count = count
        #: The next id of the block claimed, or 0 once it is used up (then new()): a call that
        #: runs no Python code, for the paths taken once per task.
        self.take = functools.partial(next, count, 0)

    def new(self):
        """The next id; safe to call from any thread."""
        i = next(self._count, 0)
        if i:
            return i
        with self._lock:
            i = next(self._count, 0)
            if i:
                return i
            self._claim()
            return next(self._count)

    def _claim(self):
        os.makedirs(self._dir, exist_ok=True)
        block = self._block + 1
        while True:
            try:
                os.close(os.open(os.path.join(self._dir, '%s.%d' % (self._kind, block)), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                break
            except FileExistsError:
                block += 1
        self._block = block
        start = block * self._size
        # Id 0 means "none" in the records.
        self._set_count(iter(range(max(start, 1), start + self._size)))
