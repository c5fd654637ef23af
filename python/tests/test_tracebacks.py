"""What the program prints, tracebacks included, is what it prints untraced: no frame of the
tracer shows in a traceback the user sees, whatever path the exception took."""
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import unittest

import support
from poolscope_tracer import records as R

PROGRAM = '''\
import sys, traceback
import multiprocessing as mp
from multiprocessing.pool import ThreadPool
from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor, wait

def boom(x):
    raise ValueError("boom %d" % x)

def ok(x):
    return x

def bad_done(f):
    raise KeyError("in done callback")

def show(what, call):
    try:
        call()
    except Exception:
        print("--", what)
        print(traceback.format_exc())

def finished(f):
    wait([f])  # result() raises from another line when it has to wait first
    return f

def last():
    raise RuntimeError("uncaught at the end")

if __name__ == "__main__":
    ctx = mp.get_context("fork")
    with ThreadPool(1) as p:
        show("ThreadPool get", lambda: p.apply_async(boom, (1,)).get())
        show("ThreadPool apply", lambda: p.apply(boom, (2,)))
        show("ThreadPool map", lambda: p.map(boom, [3]))
    with ctx.Pool(1) as p:
        show("Pool get", lambda: p.apply_async(boom, (4,)).get())
    with ThreadPoolExecutor(1) as ex:
        show("ThreadPoolExecutor result", lambda: finished(ex.submit(boom, 5)).result())
        done = ex.submit(ok, 6)
        done.result()
        done.add_done_callback(bad_done)
    with ProcessPoolExecutor(1, mp_context=ctx) as ex:
        show("ProcessPoolExecutor result", lambda: finished(ex.submit(boom, 7)).result())
    last()
'''


def normalized(lines):
    """Addresses and ^^^ markers aside (3.11 marks the failing expression under a frame)."""
    return [re.sub(r'0x[0-9a-f]+', '0x…', l) for l in lines if not re.fullmatch(r'\s*[\^~]+\s*', l)]


class TracebackTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.traced = support.run(PROGRAM)
        with tempfile.TemporaryDirectory() as d:
            prog = os.path.join(d, 'prog.py')
            with open(prog, 'w') as f:
                f.write(textwrap.dedent(PROGRAM))
            plain = subprocess.run([sys.executable, '-u', 'prog.py'], cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
            cls.untraced = plain.stdout.replace(d, '<project>').split('\n')
            cls.untraced_code = plain.returncode

    def traced_lines(self):
        project = os.path.dirname(self.traced.string(self.traced.of(R.TASK_JOB)[0], 'd').rsplit(':', 2)[0])
        return [l.replace(project, '<project>') for l in self.traced.logs()]

    def test_every_line_printed_is_the_untraced_line(self):
        self.assertEqual(normalized(self.traced_lines()), normalized(self.untraced[:-1]))

    def test_no_traceback_shows_the_tracer(self):
        text = '\n'.join(self.traced_lines())
        self.assertIn('in boom', text)
        self.assertIn('in bad_done', text)
        self.assertNotIn('poolscope_tracer', text)

    def test_main_raising_ends_as_a_plain_run_does(self):
        run = self.traced
        self.assertEqual((run.returncode, self.untraced_code), (1, 1))
        (end,) = run.of(R.MAIN_END)
        self.assertEqual(end.a, R.MAIN_THREW)
        self.assertTrue(end.text.startswith('Traceback (most recent call last):\n  File "'))
        self.assertTrue(end.text.endswith('RuntimeError: uncaught at the end'))
        self.assertNotIn('poolscope_tracer', end.text)


class ProgramStartTest(unittest.TestCase):
    def test_argv_path_and_main_module_are_those_of_a_plain_run(self):
        run = support.run('''\
            import os, sys, __main__
            print(sys.argv)
            print(sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
            print(__name__, __main__.__file__ == os.path.abspath("prog.py"))
            print(sorted(k for k in os.environ if k.startswith("POOLSCOPE")))
            ''', 'a', '--b')
        self.assertEqual(run.logs(), ["['prog.py', 'a', '--b']", 'True', '__main__ True', '[]'])

    def test_sys_exit_keeps_its_status(self):
        run = support.run('import sys\nsys.exit(3)\n')
        self.assertEqual(run.returncode, 3)
        (end,) = run.of(R.MAIN_END)
        self.assertEqual((end.a, end.text), (R.MAIN_THREW, 'SystemExit: 3'))

    def test_a_syntax_error_is_bad_input_with_its_place(self):
        import json
        work = tempfile.mkdtemp()
        folder = os.path.join(work, 'run')
        os.mkdir(folder)
        with open(os.path.join(work, 'prog.py'), 'w') as f:
            f.write('x = 1\nif x\n    pass\n')
        r = subprocess.run([sys.executable, support.LAUNCHER, 'prog.py'], cwd=work, env=dict(os.environ, POOLSCOPE_RUN_DIR=folder), capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        with open(os.path.join(folder, 'bad-input.json')) as f:
            bad = json.load(f)
        self.assertEqual((bad['file'], bad['line']), (os.path.join(work, 'prog.py'), 2))
        self.assertTrue(bad['message'].startswith('SyntaxError: '))


if __name__ == '__main__':
    unittest.main()
