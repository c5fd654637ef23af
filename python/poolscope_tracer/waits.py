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
from .sites import drop_own_frame, is_user_code, user_caller, user_codes

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
    # Once per wait (most get()s of a slow task): as in issue_task, no calls for the common cases.
    wid = state.wait_ids.take() or state.wait_ids.new()
    lane = lanes.tls.lane
    if state.tasks:
        w = state.writer
        ms = -1 if timeout is None else R.clamp(int(max(0, timeout) * 1000))
        ids = w.ids
        state.rec(R.WAIT_START, lane, wid, ids[api or what], ids[site], job, ms)
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


def _timeout_arg(args, kwargs):
    return args[0] if args else kwargs.get('timeout')


def no_timeout(args, kwargs):
    return None


def plain_outcome(first, error, value, timeout):
    return (R.WAIT_OK if error is None else R.WAIT_ERROR), False


#: at_once's answer when the call has to wait (or be drawn).
WAITS = object()


def traced(orig, what, outcome=plain_outcome, blocking=None, timeout_of=_timeout_arg, drawn=None, at_once=None, user_only=True):
    """Wraps a call that waits, `orig(first, *args)`: a result's or future's method (get, wait,
    next, result, exception: first is self, the timeout comes next), a pool's join or shutdown,
    or futures.wait (first is the futures), into one that draws its wait on the user's line.

    outcome(first, error, value, timeout) -> (WaitOutcome, whether the job's error reached the
    user); blocking(first) -> (ready, why_never), for a wait without a timeout to be checked for
    a deadlock while it waits, or None; drawn(first, args, kwargs): whether this call is one;
    at_once(first): what the call returns at once, an outcome there already that went well, or
    WAITS. Such a call draws nothing, as the JavaScript runtime's get() of a ready result: most
    get()s of a batch come after their tasks ran, and drawing them cost more than the tasks. One
    that raises or hands back an error is drawn as ever (the rules read those); with user_only,
    so is one that the library makes for the user's map() or apply()."""
    def wrapper(first, *args, **kwargs):
        wait = job = None
        try:
            if at_once is not None:
                value = at_once(first)
                if value is not WAITS and (not user_only or user_codes.get(id(code := sys._getframe(1).f_code)) or is_user_code(code)):
                    return value
            job = getattr(first, '__dict__', {}).get('_ps')
            timeout = timeout_of(args, kwargs)
            if state.rec is not None and (drawn is None or drawn(first, args, kwargs)):
                wait = begin(what, job.id if job else -1, timeout)
            if wait is not None and timeout is None and blocking is not None:
                checks = blocking(first)
                if checks is not None:
                    until(checks[0], checks[1], wait, job.id if job else -1)
                    # Now there: what went well is taken as the call would return it, without
                    # running the library's wait machinery a second time for it.
                    value = WAITS if at_once is None else at_once(first)
                    if value is not WAITS:
                        end(wait, R.WAIT_OK)
                        return value
            value = orig(first, *args, **kwargs)
        except BaseException as e:
            if wait is not None:
                _ended(wait, job, *outcome(first, e, None, timeout))
            drop_own_frame(e)
            raise
        if wait is not None:
            _ended(wait, job, *outcome(first, None, value, timeout))
        return value
    return wrapper


def _ended(wait, job, outcome, retrieved):
    if retrieved and job is not None:
        state.rec(R.RETRIEVED, wait[1], job.id)
    end(wait, outcome)


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
