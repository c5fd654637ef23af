"""Runs the user's program as `python3 prog.py args...` would, under the tracer: in a fresh
__main__ module, with sys.argv and sys.path[0] as a plain run has them.

The host passes the run folder in POOLSCOPE_RUN_DIR (and POOLSCOPE_TASKS=0 for printed lines
and lifecycle only); both are taken out of the environment before the program starts, so it
and every process it starts see the environment they would see without poolscope.
"""
import builtins
import importlib.machinery
import io
import json
import os
import sys
import traceback
import types

from . import output, records as R, state, stopsite, tracer
from .sites import without_tracer_frames

RUN_DIR = 'POOLSCOPE_RUN_DIR'
TASKS = 'POOLSCOPE_TASKS'
#: A program that cannot start (unreadable, a syntax error): what and where, for the host.
BAD_INPUT = 'bad-input.json'


def main(argv):
    folder = os.environ.pop(RUN_DIR, None)
    trace_tasks = os.environ.pop(TASKS, '1') != '0'
    if not argv or folder is None:
        sys.stderr.write('usage: %s=<run folder> python3 -m poolscope_tracer <program.py> [args...]\n' % RUN_DIR)
        sys.exit(2)
    path = os.path.abspath(argv[0])
    code = _compile(path, folder)
    try:
        tracer.install(folder, trace_tasks, root=True)
    except OSError as e:
        sys.stderr.write('poolscope: cannot record the run in %s: %s\n' % (folder, e.strerror or e))
        sys.exit(2)
    stopsite.install(folder)
    module = types.ModuleType('__main__')
    module.__dict__.update(__file__=path, __builtins__=builtins, __cached__=None, __spec__=None, __package__=None,
                           __loader__=importlib.machinery.SourceFileLoader('__main__', path))
    sys.modules['__main__'] = module
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(path)
    lane = state.lanes.current()
    try:
        exec(code, module.__dict__)
    except SystemExit as e:
        output.finish()
        if e.code is None or e.code == 0:
            state.rec(R.MAIN_END, lane, R.MAIN_RETURNED)
        else:
            state.rec(R.MAIN_END, lane, R.MAIN_THREW, text='SystemExit: %s' % (e.code,))
        raise
    except BaseException as e:
        tb = without_tracer_frames(e.__traceback__)
        e.__traceback__ = tb
        output.finish()
        state.rec(R.MAIN_END, lane, R.MAIN_THREW, text=''.join(traceback.format_exception(type(e), e, tb)).rstrip())
        sys.excepthook(type(e), e, tb)
        sys.exit(1)
    output.finish()
    state.rec(R.MAIN_END, lane, R.MAIN_RETURNED)


def _compile(path, folder):
    try:
        with io.open_code(path) as f:
            source = f.read()
    except OSError as e:
        _bad_input(folder, 'cannot read %s: %s' % (path, e.strerror or e), path, 1, 1)
    try:
        return compile(source, path, 'exec', dont_inherit=True)
    except SyntaxError as e:
        _bad_input(folder, '%s: %s' % (type(e).__name__, e.msg), e.filename or path, e.lineno or 1, e.offset or 1)
    except ValueError as e:
        _bad_input(folder, str(e), path, 1, 1)


def _bad_input(folder, message, path, line, col):
    with open(os.path.join(folder, BAD_INPUT), 'w', encoding='utf-8') as f:
        json.dump({'message': message, 'file': path, 'line': line, 'col': col}, f)
    sys.exit(2)
