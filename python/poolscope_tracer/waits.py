"""The program's own waits (get, wait, join, result, exception, as_completed, shutdown, sleep),
drawn on the lane of the thread that waits, at the user's line, and the deadlock end.

Only threads that draw as program threads (Main and the program's own threads) record waits,
and only the outermost call: get() inside apply() is one wait, named after apply. A wait with
no timeout is checked every POLL seconds, inside the waiting call (the tracer has no thread
of its own); when what it waits for can never come, a DEADLOCK record ends the run.
"""
import sys
import threading
import time

from . import records as R
from . import state
from .sites import drop_own_frame, is_user_code, user_caller

POLL = 0.05
_tls = threading.local()


def begin(what, job, timeout, depth=3):
    """Starts a wait span if the caller draws waits: (wait id, lane), else None."""
    lanes = state.lanes
    if lanes is None or getattr(_tls, 'waiting', False):
        return None
    site, api = user_caller(depth)
    if site is None or lanes.kind() != R.LANE_MAIN:
        return None
    wid = state.wait_ids.new()
    lane = lanes.current()
    if state.tasks:
        w = state.writer
        ms = -1 if timeout is None else R.clamp(int(max(0, timeout) * 1000))
        state.rec(R.WAIT_START, lane, wid, w.str(api or what), w.str(site), job, ms)
    _tls.waiting = True
    _tls.site = site
    return wid, lane


def end(wait, outcome):
    _tls.waiting = False
    if state.tasks:
        state.rec(R.WAIT_END, wait[1], wait[0], outcome)


def deadlock(wait, job, reason):
    """Main (or a program thread) waits on something that can never come: say so; the host ends the run."""
    w = state.writer
    state.rec(R.DEADLOCK, wait[1], wait[0], job, w.str(_tls.site), text=reason)


def until(ready, why_never, wait, job):
    """Blocks until ready() is true, checking why_never() (None, or the reason it never will be)
    every POLL seconds; a reason ends the run as a deadlock and this thread waits on for ever."""
    while not ready():
        reason = why_never()
        if reason is not None:
            deadlock(wait, job, reason)
            threading.Event().wait()


def patch_sleep():
    sleep = time.sleep

    def wrapper(secs):
        w = None
        if state.rec is not None and is_user_code(sys._getframe(1).f_code):
            w = begin('sleep', -1, secs)
        try:
            sleep(secs)
        except BaseException as e:
            if w is not None:
                end(w, R.WAIT_ERROR)
            drop_own_frame(e)
            raise
        if w is not None:
            end(w, R.WAIT_OK)

    wrapper.__name__ = sleep.__name__
    wrapper.__qualname__ = sleep.__qualname__
    wrapper.__doc__ = sleep.__doc__
    wrapper.__wrapped__ = sleep
    time.sleep = wrapper
