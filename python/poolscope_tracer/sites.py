"""Where user code is: the user's lines for sites, tracebacks without the tracer's frames,
and short previews of values and errors.

"Library" code is the standard library, installed packages and this tracer; everything else
is the user's. A site is "file:line:col" (1-based), the format of src/trace/model.ts.
"""
import os
import reprlib
import site
import sys
import sysconfig
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _library_dirs():
    dirs = {_HERE}
    paths = sysconfig.get_paths()
    for key in ('stdlib', 'platstdlib', 'purelib', 'platlib'):
        if paths.get(key):
            dirs.add(paths[key])
    try:
        dirs.update(site.getsitepackages())
        dirs.add(site.getusersitepackages())
    except AttributeError:
        pass
    dirs = {d for d in dirs if d}
    return tuple({d.rstrip(os.sep) + os.sep for d in dirs} | {os.path.realpath(d).rstrip(os.sep) + os.sep for d in dirs})


_LIBRARY = _library_dirs()
#: The caches below are keyed by a code object's id, not the code object: hashing a code object
#: hashes its names and constants (from 3.12 its bytecode too) on every lookup, several times per
#: task. Each code object seen is kept here, so its id cannot be reused for another one.
_codes = {}
#: id(code object) -> whether it is the user's; read directly where a call costs too much
user_codes = {}


def keep_code(code):
    """Keeps `code` for the run, so that its id, a key of the caches here and in calls.py, stays its own."""
    _codes[id(code)] = code


def is_user_code(code):
    user = user_codes.get(id(code))
    if user is None:
        name = code.co_filename
        user = not (name.startswith(_LIBRARY) or name.startswith('<frozen'))
        keep_code(code)
        user_codes[id(code)] = user
    return user


def is_tracer_file(filename):
    return filename.startswith(_HERE)


if sys.version_info >= (3, 11):
    _positions = {}

    def _column(code, lasti):
        pos = _positions.get(id(code))
        if pos is None:
            keep_code(code)
            pos = _positions[id(code)] = list(code.co_positions())
        i = lasti // 2
        col = pos[i][2] if 0 <= i < len(pos) else None
        return 1 if col is None else col + 1
else:
    def _column(code, lasti):
        return 1

#: (id(code) << 32) + the frame's last instruction -> its site, and -> (its site, None), what
#: user_caller returns for a call from there (one tuple, not one per call)
_sites = {}
_user_calls = {}


def frame_site(frame):
    code = frame.f_code
    key = (id(code) << 32) + frame.f_lasti
    s = _sites.get(key)
    if s is None:
        keep_code(code)
        s = _sites[key] = '%s:%d:%d' % (code.co_filename, frame.f_lineno or code.co_firstlineno, _column(code, frame.f_lasti))
    return s


#: Library functions that stand for the call the user made, when a patched method is reached
#: through them (private ones are passed over otherwise: __exit__ stands for nothing).
_API_NAMES = {'result_iterator': 'map', '_chain_from_iterable_of_lists': 'map'}


def user_caller(depth=2):
    """(site of the first user frame above the caller, name of the library function it called).

    `depth` frames are skipped first (the patched method and its wrapper). Outside user code
    (a thread of the standard library) the site is None.
    """
    f = sys._getframe(depth)
    if user_codes.get(id(f.f_code)):
        # Called from user code itself, as most calls are: one lookup for its site.
        key = (id(f.f_code) << 32) + f.f_lasti
        call = _user_calls.get(key)
        if call is None:
            call = _user_calls[key] = (frame_site(f), None)
        return call
    api = None
    while f is not None and not is_user_code(f.f_code):
        name = f.f_code.co_name
        if (not name.startswith('_') or name in _API_NAMES) and not f.f_code.co_filename.startswith(_HERE):
            api = name
        f = f.f_back
    if f is None:
        return None, api
    return frame_site(f), _API_NAMES.get(api, api)


def called_from_user(depth=2):
    """Whether the frame `depth` levels up is user code (a direct call, not one from the library)."""
    return is_user_code(sys._getframe(depth).f_code)


def function_of(fn):
    """The plain function behind a callable (partial, bound method, callable object), or None."""
    for _ in range(5):
        if hasattr(fn, '__code__'):
            return fn
        inner = getattr(fn, 'func', None) or getattr(fn, '__func__', None)
        if inner is None:
            call = getattr(type(fn), '__call__', None)
            return call if hasattr(call, '__code__') else None
        fn = inner
    return None


def name_of(fn):
    inner = getattr(fn, 'func', None)
    if inner is not None and getattr(inner, '__module__', '') in ('multiprocessing.pool', 'concurrent.futures.process'):
        # mapstar / _process_chunk wrap the user's function in a partial
        args = getattr(fn, 'args', ())
        if args:
            return name_of(args[0])
    f = function_of(fn)
    name = getattr(fn, '__qualname__', None) or getattr(fn, '__name__', None) or getattr(f, '__qualname__', None)
    return name or type(fn).__name__


_definitions = {}


def definition_site(fn):
    f = function_of(fn)
    if f is None:
        return None
    code = f.__code__
    s = _definitions.get(id(code))
    if s is None:
        keep_code(code)
        s = _definitions[id(code)] = '%s:%d:1' % (code.co_filename, code.co_firstlineno)
    return s


class _Preview(reprlib.Repr):
    """reprlib's short reprs, without running the user's own __repr__ (it may print, block or raise)."""

    def __init__(self):
        super().__init__()
        self.maxstring = 60
        self.maxother = 60
        self.maxlist = self.maxtuple = self.maxset = self.maxdict = 8

    def repr_instance(self, x, level):
        t = type(x)
        if t.__repr__ is object.__repr__ or t.__module__ == 'builtins' or isinstance(x, BaseException):
            try:
                return reprlib.Repr.repr_instance(self, x, level)
            except Exception:
                pass
        return '<%s>' % t.__qualname__


_PREVIEW = _Preview()
_preview = _PREVIEW.repr
_PLAIN = frozenset((float, bool, type(None)))
#: Ints longer than this many bits are previewed by their size: turning a big int into decimal
#: takes time quadratic in its length (and Python 3.11 on refuses past 4300 digits).
_INT_BITS = 128
MAX_PREVIEW = 160


def preview(value):
    """A short text for a value, made without running the user's code. Called for every task's
    arguments and result, so the common small values take the shortest way (with the same text)."""
    t = type(value)
    if t is int:
        return repr(value) if value.bit_length() <= _INT_BITS else '<int of %d bits>' % value.bit_length()
    if t in _PLAIN:
        return repr(value)
    if t is str and len(value) <= _PREVIEW.maxstring:
        s = repr(value)
        if len(s) <= _PREVIEW.maxstring:
            return s
    try:
        s = _preview(value)
    except Exception:
        s = '<%s>' % type(value).__qualname__
    return s if len(s) <= MAX_PREVIEW else s[:MAX_PREVIEW - 1] + '…'


def preview_args(args, kwargs=None):
    if not kwargs:
        if len(args) == 1:
            return preview(args[0])
        if not args:
            return ''
    parts = [preview(a) for a in args]
    if kwargs:
        parts.extend('%s=%s' % (k, preview(v)) for k, v in kwargs.items())
    s = ', '.join(parts)
    return s if len(s) <= MAX_PREVIEW else s[:MAX_PREVIEW - 1] + '…'


def error_text(e):
    """"ValueError: boom" and the user's frames of its traceback, innermost last."""
    try:
        head = ''.join(traceback.format_exception_only(type(e), e)).strip()
    except Exception:
        head = type(e).__name__
    lines = [head]
    tb = e.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if is_user_code(code):
            lines.append('  File "%s", line %d, in %s' % (code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    return '\n'.join(lines)


if sys.version_info >= (3, 11):
    def drop_own_frame(e):
        """Called in a wrapper's `except` clause before a bare `raise`: the traceback the user
        sees goes on without the wrapper's frame (a bare raise re-raises e with e.__traceback__)."""
        tb = e.__traceback__
        if tb is not None:
            e.__traceback__ = tb.tb_next
else:
    import ctypes

    _set_exc_info = ctypes.pythonapi.PyErr_SetExcInfo
    _set_exc_info.argtypes = [ctypes.py_object] * 3
    _set_exc_info.restype = None
    _incref = ctypes.pythonapi.Py_IncRef
    _incref.argtypes = [ctypes.py_object]

    def drop_own_frame(e):
        # Before 3.11 a bare raise re-raises the handled exception with the traceback saved when it
        # was caught, so that one is replaced too (PyErr_SetExcInfo steals its three references).
        tb = e.__traceback__
        if tb is None or tb.tb_next is None:
            return
        tb = tb.tb_next
        e.__traceback__ = tb
        t = type(e)
        for o in (t, e, tb):
            _incref(o)
        _set_exc_info(t, e, tb)


def without_tracer_frames(tb):
    """A traceback with the tracer's frames at its head left out (the launcher's)."""
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_HERE):
        tb = tb.tb_next
    return tb
