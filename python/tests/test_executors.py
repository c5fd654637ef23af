"""ThreadPoolExecutor and Future, traced: jobs, done callbacks where Python runs them, waits."""
import sys
import unittest

import support
from poolscope_tracer import records as R

PROGRAM = '''\
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
''' + support.WHEN_MAIN_WAITS + '''
def square(x):
    return x * x

def square_when(gate, x):
    gate.wait()
    when_main_waits()
    return x * x

def boom(x):
    raise ValueError("boom %d" % x)

def block(event):
    event.wait()

def note(f):
    print("done", f.result(), threading.current_thread().name)

if __name__ == "__main__":
    with ThreadPoolExecutor(2) as ex:
        first = threading.Event()  # a gate: the callback is added while the task is still pending
        f = ex.submit(square_when, first, 3)
        f.add_done_callback(note)
        first.set()
        print("result", f.result())
        print(list(ex.map(square, [1, 2])))
        for g in as_completed([ex.submit(square, 4)]):
            g.result()
        e = ex.submit(boom, 5)
        print("exception", repr(e.exception()))
        gate = threading.Event()
        busy = [ex.submit(block, gate), ex.submit(block, gate)]
        queued = ex.submit(square, 6)
        print("cancelled", queued.cancel())
        gate.set()
        wait(busy)
        f.add_done_callback(note)  # again, on a done future
    print("end")
'''


def line(text):
    return next(i for i, l in enumerate(PROGRAM.split('\n'), 1) if text in l)


#: Where leaving the `with` block calls shutdown(): Python before 3.10 says the block's last line.
WITH_EXIT = line('with ThreadPoolExecutor') if sys.version_info >= (3, 10) else line('# again, on a done future')


class ThreadPoolExecutorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.run_ = support.run(PROGRAM)

    def test_output(self):
        run = self.run_
        self.assertEqual(run.returncode, 0, run.stderr)
        logs = run.logs()
        # result() returns once the future is done, while its worker goes on to run the callback: either may print first.
        self.assertEqual(sorted(logs[:2]), ['done 9 ThreadPoolExecutor-0_0', 'result 9'])
        self.assertEqual(logs[2:5], ['[1, 4]', "exception ValueError('boom 5')", 'cancelled True'])
        self.assertEqual(logs[5:], ['done 9 MainThread', 'end'])

    def test_pool_and_worker_lanes(self):
        run = self.run_
        (pool,) = run.of(R.POOL, b=R.POOL_CREATED)
        self.assertEqual((pool.text, pool.d), ('ThreadPoolExecutor', 2))
        workers = {k for k, l in run.lanes.items() if l['kind'] == R.LANE_WORKER}
        self.assertEqual(len(workers), 2)
        self.assertFalse([l for l in run.lanes.values() if l['kind'] == R.LANE_CALLBACK], 'a thread executor has no callback thread')
        self.assertEqual(len(run.of(R.POOL, b=R.POOL_SHUTDOWN)), 1)
        self.assertEqual(run.line_of(run.of(R.POOL, b=R.POOL_SHUTDOWN)[0], 'c'), WITH_EXIT)

    def test_done_callback_runs_in_the_worker_that_finished_the_task_or_at_once_in_the_caller(self):
        run = self.run_
        first, second = run.of(R.CB_START)
        self.assertEqual((run.string(first, 'c'), first.b), ('note', R.CB_DONE))
        (task_end,) = [r for r in run.of(R.TASK_END) if r.a == run.of(R.TASK_JOB)[0].b]
        self.assertEqual(first.lane, task_end.lane, 'in the worker that ran the task')
        self.assertEqual(run.lane_kind(second), R.LANE_MAIN, 'added to a done future: at once, in the caller')
        (ready,) = run.readies(a=first.a)
        self.assertLessEqual(ready.ts, first.ts, 'the future is done (waiters released) before its callbacks run')

    def test_jobs_name_the_api_the_user_called(self):
        run = self.run_
        apis = [(run.string(j, 'c') if j.type == R.JOB else run.strings[j.pid][j.c >> 12], run.line_of(j, 'd')) for j in run.of(R.TASK_JOB)]
        self.assertEqual(apis[:4], [('submit', line('ex.submit(square_when')), ('map', line('ex.map(square')), ('map', line('ex.map(square')), ('submit', line('ex.submit(square, 4)'))])

    def test_waits(self):
        run = self.run_
        waits = [(run.string(w, 'b'), run.line_of(w, 'c')) for w in run.of(R.WAIT_START)]
        self.assertIn(('result', line('print("result", f.result())')), waits)
        self.assertIn(('map', line('list(ex.map')), waits)
        self.assertIn(('as_completed', line('for g in as_completed')), waits)
        self.assertIn(('exception', line('e.exception()')), waits)
        self.assertIn(('wait', line('wait(busy)')), waits)
        self.assertEqual(waits[-1], ('shutdown', WITH_EXIT))
        for w in run.of(R.WAIT_START):
            self.assertEqual(run.lane_kind(w), R.LANE_MAIN)

    def test_an_error_looked_at_with_exception_is_retrieved(self):
        run = self.run_
        failed = run.readies(b=R.ERROR)
        self.assertEqual(len(failed), 1)
        self.assertEqual(len(run.of(R.RETRIEVED, a=failed[0].a)), 1)

    def test_a_worker_s_task_end_says_its_future_is_done_in_the_same_record(self):
        run = self.run_
        ran = [j for j in run.of(R.TASK_JOB) if run.of(R.TASK_END, a=j.b)]
        ends = [e for e in run.of(R.TASK_END) if e.c > 0]
        self.assertEqual(sorted(e.c for e in ends), sorted(j.a for j in ran), 'each task that ran ends with its job ready')
        self.assertFalse([r for r in run.of(R.JOB_READY) if r.a in {e.c for e in ends}], 'and no JOB_READY says it again')
        for e in ends:
            self.assertEqual(run.lane_kind(e), R.LANE_WORKER)

    def test_a_cancelled_future_drops_its_task(self):
        run = self.run_
        (drop,) = run.of(R.TASK_DROP)
        self.assertEqual(drop.b, R.CANCELLED)
        (ready,) = run.readies(b=R.CANCELLED)
        self.assertFalse(run.of(R.TASK_START, a=drop.a))


class BrokenThreadPoolTest(unittest.TestCase):
    def test_a_failing_initializer_breaks_the_executor(self):
        run = support.run('''\
            from concurrent.futures import ThreadPoolExecutor

            def init():
                raise ValueError("no init")

            def square(x):
                return x * x

            if __name__ == "__main__":
                with ThreadPoolExecutor(1, initializer=init) as ex:
                    fs = [ex.submit(square, n) for n in range(3)]
                    print(type(fs[0].exception()).__name__)
            ''')
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn('BrokenThreadPool', run.logs())
        (init_end,) = run.of(R.INIT, b=R.ERROR)
        self.assertEqual(init_end.text.split('\n')[0], 'ValueError: no init')
        (broken,) = run.of(R.POOL, b=R.POOL_BROKEN)
        self.assertIn('BrokenThreadPool', broken.text)
        (died,) = run.of(R.WORKER, a=R.WORKER_DIED)
        self.assertIn('ValueError: no init', died.text)
        jobs = sorted(j.a for j in run.of(R.TASK_JOB))
        self.assertEqual(len(jobs), 3)
        self.assertEqual(sorted(r.a for r in run.readies()), jobs, 'every pending job fails, once, though none of its tasks ran')
        self.assertEqual({r.b for r in run.readies()}, {R.ERROR})
        self.assertFalse(run.of(R.TASK_START))
        logged = '\n'.join(run.logs())
        self.assertIn('Exception in initializer:', logged)
        self.assertIn('raise ValueError("no init")', logged)
        self.assertNotIn('poolscope_tracer', logged)


NAMED_PROGRAM = """\
import functools
from concurrent.futures import ThreadPoolExecutor

def add_one(x):
    return x + 1

class Wrapped:
    \"\"\"A callable that shows its function's code, as some wrappers do, but has no __qualname__.\"\"\"
    __code__ = add_one.__code__

    def __call__(self, x):
        return add_one(x)

def renamed(name):
    @functools.wraps(add_one)
    def inner(x):
        return add_one(x)
    inner.__qualname__ = name
    return inner

if __name__ == "__main__":
    first, second = renamed("first"), renamed("second")  # one code, two names
    with ThreadPoolExecutor(1) as ex:
        print(ex.submit(Wrapped(), 1).result(), ex.submit(first, 2).result(), ex.submit(second, 3).result(), ex.submit(first, 4).result())
"""


class TaskFunctionNameTest(unittest.TestCase):
    def test_each_job_names_its_own_function_whatever_the_callable(self):
        run = support.run(NAMED_PROGRAM)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.logs(), ['2 3 4 5'])
        self.assertEqual([run.string(j, 'e') for j in run.of(R.TASK_JOB)], ['Wrapped', 'first', 'second', 'first'])


if __name__ == '__main__':
    unittest.main()
