"""Every line printed to sys.stdout / sys.stderr becomes a LOG record on the printing thread's
lane, instead of going to the real stream: the host shows it in time order with its lane.
Lines are assembled per thread, so two threads printing at once do not mix their halves.
"""
import io
import sys
import threading

from . import records as R
from . import state


class _Bytes(io.RawIOBase):
    """sys.stdout.buffer: bytes written here are decoded and recorded like text."""

    def __init__(self, text):
        self._text = text

    def writable(self):
        return True

    def write(self, b):
        self._text.write(bytes(b).decode('utf-8', 'replace'))
        return len(b)


class LineRecorder(io.TextIOBase):
    def __init__(self, code, original):
        super().__init__()
        self._code = code
        self._original = original
        self._partial = {}
        self.buffer = _Bytes(self)

    @property
    def encoding(self):
        return 'utf-8'

    @property
    def errors(self):
        return 'strict'

    @property
    def line_buffering(self):
        return True

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        return self._original.fileno()

    def reconfigure(self, **_options):
        """Accepted and ignored: lines are recorded whole, whatever the buffering."""

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError('write() argument must be str, not %s' % type(s).__name__)
        key = threading.get_ident()
        text = self._partial.pop(key, '') + s if self._partial else s
        if '\n' not in text:
            if text:
                self._partial[key] = text
            return len(s)
        lines = text.split('\n')
        rest = lines.pop()
        if rest:
            self._partial[key] = rest
        rec = state.rec
        lane = state.lanes.current()
        for line in lines:
            rec(R.LOG, lane, self._code, text=line)
        return len(s)

    def flush(self):
        pass

    def finish(self):
        """Records the calling thread's unfinished line (at exit)."""
        rest = self._partial.pop(threading.get_ident(), None)
        if rest:
            state.rec(R.LOG, state.lanes.current(), self._code, text=rest)

    def hand_back(self):
        """The stream it replaced, with the calling thread's unfinished line written to it (the records stopped)."""
        rest = self._partial.pop(threading.get_ident(), None)
        if rest:
            self._original.write(rest)
        return self._original

    def forget_other_threads(self):
        """After a fork only the forking thread lives on in the child."""
        mine = self._partial.pop(threading.get_ident(), None)
        self._partial.clear()
        if mine:
            self._partial[threading.get_ident()] = mine


def capture():
    """Replaces sys.stdout and sys.stderr (once per process)."""
    if isinstance(sys.stdout, LineRecorder):
        return
    sys.stdout = LineRecorder(1, sys.stdout)
    sys.stderr = LineRecorder(2, sys.stderr)
    state.after_fork_hooks.append(_after_fork)
    R.when_full.append(_release)


def _after_fork():
    for s in (sys.stdout, sys.stderr):
        if isinstance(s, LineRecorder):
            s.forget_other_threads()


def _release():
    """The records stopped: what the program prints goes to its real streams again."""
    for name in ('stdout', 'stderr'):
        s = getattr(sys, name)
        if isinstance(s, LineRecorder):
            setattr(sys, name, s.hand_back())


def finish():
    for s in (sys.stdout, sys.stderr):
        if isinstance(s, LineRecorder):
            s.finish()
