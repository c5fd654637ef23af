"""What a task cost its thread: the CPU time it used, and (on Linux) the time the thread was
runnable but waiting for a CPU. gil-bound reads both: on a busy machine a GIL-bound pool gets
only part of a core, and only that wait tells it from a pool waiting on I/O.

A worker runs one task after another, so each is measured from the end of the one before (or
the worker's start): one reading per task instead of two. Between tasks a worker sleeps on its
queue and uses neither clock; the wait then includes the moments a woken worker stood in line
for a CPU before its task began.

Reading the CPU clock is a system call, as long as a no-op task itself. A task that ran for less
than SHORT_NS of wall time, less than READ_EVERY_NS after the thread's last reading, is not read:
it is credited its wall time (its CPU time cannot be more), and the next reading reports what the
thread used since the last one less those credits. So the CPU time of a thread's tasks adds up
to what it used, as gil-bound sums it, and a thread of short tasks is read once a millisecond at
most. Only a short task that waited (used less CPU than its wall time) is credited too much,
which leans towards "not GIL-bound".

The CPU time is time.thread_time_ns(), which the kernel brings up to date when asked. The wait
is the run delay of the thread's /proc schedstat (second field, ns), up to date whenever the
thread runs; that file stays open while its thread lives. It is read only after a task that
computed for WAIT_AFTER_CPU_US or more (the only tasks gil-bound needs it for), and that task
reports all of the wait since the last reading; others report -1, as every task does where
there is no schedstat. The read keeps the GIL (ctypes.PyDLL): os.pread would release it, and
with a pool's threads waiting for it, getting it back costs a thread switch each time.
"""
import os
import threading
from time import monotonic_ns, thread_time_ns

from . import records as R

__all__ = ['mark', 'since_last_task']

WAIT_AFTER_CPU_US = 1000
SHORT_NS = 50_000
READ_EVERY_NS = 1_000_000
_I32_MAX = 2**31 - 1

try:
    import ctypes

    _pread = ctypes.PyDLL(None).pread
    _pread.restype = ctypes.c_ssize_t
    _pread.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_long)
    _buffer = ctypes.create_string_buffer
except (ImportError, AttributeError, OSError):
    _pread = None


class _Clocks:
    """One thread's readings at its last task's end, and its schedstat file. `read_at`: when the
    CPU clock was read last (monotonic ns); `credited`: CPU µs credited since to tasks not read."""

    __slots__ = ('cpu', 'wait', 'fd', 'buf', 'read_at', 'credited')

    def __init__(self):
        try:
            self.fd = os.open('/proc/thread-self/schedstat', os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self.fd = -1
        self.buf = _buffer(64) if _pread is not None else None
        self.read_at = monotonic_ns()
        self.cpu = thread_time_ns()
        self.credited = 0
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
            if self.buf is not None:
                n = _pread(self.fd, self.buf, 64, 0)
                text = self.buf.raw[:n] if n > 0 else b''
            else:
                text = os.pread(self.fd, 64, 0)
            return int(text.split(b' ', 2)[1])
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
        c.read_at = monotonic_ns()
        c.cpu = thread_time_ns()
        c.credited = 0
        c.wait = c.wait_ns()


def since_last_task(started):
    """(CPU µs, wait µs) of the calling thread's task that started at `started` (monotonic ns)
    and ends now: what the thread used since its previous task ended (or mark()), or the task's
    wall time if it is not read (above). The wait is -1 unless this task computed for
    WAIT_AFTER_CPU_US or more and the thread's schedstat can be read; both are -1 on a thread
    never marked."""
    c = getattr(_threads, 'clocks', None)
    if c is None:
        return -1, -1
    at = monotonic_ns()
    if at - started < SHORT_NS and at - c.read_at < READ_EVERY_NS:
        ran = (at - started) // 1000
        c.credited += ran
        return ran, -1
    now = thread_time_ns()
    cpu = (now - c.cpu) // 1000 - c.credited
    c.cpu = now
    c.read_at = at
    c.credited = 0
    if cpu < 0:
        cpu = 0
    if cpu < WAIT_AFTER_CPU_US:
        # A short task: no wait to read, and a CPU time far below a field's limit.
        return cpu, -1
    wait = -1
    if c.wait >= 0:
        read = c.wait_ns()
        if read >= 0:
            wait = (read - c.wait) // 1000
            c.wait = read
    # Both fit a field unless a task ran for more than half an hour.
    if cpu > _I32_MAX or wait > _I32_MAX:
        return R.clamp(cpu), R.clamp(wait)
    return cpu, wait
