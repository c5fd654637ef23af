"""What a task cost its thread: the CPU time it used, and (on Linux) the time the thread was
runnable but waiting for a CPU. gil-bound reads both: on a busy machine a GIL-bound pool gets
only part of a core, and only that wait tells it from a pool waiting on I/O.

A worker runs one task after another, so each is measured from the end of the one before (or
the worker's start): one reading per task of each clock instead of two. Between tasks a worker
sleeps on its queue and uses neither; the wait then includes the moments a woken worker stood
in line for a CPU before its task began.

The CPU time is time.thread_time_ns(), which the kernel brings up to date when asked. The wait
is the run delay of the thread's /proc schedstat (second field, ns), up to date whenever the
thread runs; that file stays open while its thread lives. Elsewhere the wait is -1, unknown.
"""
import os
import threading
from time import thread_time_ns

from . import records as R

__all__ = ['mark', 'since_last_task']


class _Clocks:
    """One thread's readings at its last task's end, and its schedstat file."""

    __slots__ = ('cpu', 'wait', 'fd')

    def __init__(self):
        try:
            self.fd = os.open('/proc/thread-self/schedstat', os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self.fd = -1
        self.cpu = thread_time_ns()
        self.wait = self.wait_ns()

    def __del__(self):
        if self.fd >= 0:
            try:
                os.close(self.fd)
            except OSError:
                pass

    def wait_ns(self):
        if self.fd < 0:
            return -1
        try:
            return int(os.pread(self.fd, 64, 0).split(b' ', 2)[1])
        except (OSError, ValueError, IndexError):
            return -1


_threads = threading.local()


def _forget_parent_threads():
    # A forked child's thread still holds its parent thread's readings and file: it starts anew.
    global _threads
    _threads = threading.local()


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_forget_parent_threads)


def mark():
    """A worker thread starts (or its initializer ended): its tasks' clocks count from here."""
    c = getattr(_threads, 'clocks', None)
    if c is None:
        _threads.clocks = _Clocks()
    else:
        c.cpu = thread_time_ns()
        c.wait = c.wait_ns()


def since_last_task():
    """(CPU µs, wait µs) the calling thread spent since its previous task ended (or mark());
    -1 for a clock it cannot read, both -1 on a thread never marked."""
    c = getattr(_threads, 'clocks', None)
    if c is None:
        return -1, -1
    cpu = thread_time_ns()
    wait = c.wait_ns()
    spent = R.clamp((cpu - c.cpu) // 1000), (R.clamp((wait - c.wait) // 1000) if wait >= 0 and c.wait >= 0 else -1)
    c.cpu = cpu
    c.wait = wait
    return spent
