"""Process pools under fork, spawn and forkserver: every child records into its own file, on the
same clock, from its first moment; the parent sees the ones that die."""
import os
import unittest

import support
from poolscope_tracer import records as R

PROGRAM = '''\
import os, sys, tempfile, threading, time
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

print("top", os.getpid())

def square(x):
    print("in task", x)
    return x * x

def init(tag, both):
    print("init", tag)
    both.wait()  # a gate: each of the two workers gets to run its initializer

def square_once_added(x, gate):
    # A done callback added to a finished future runs at once in the thread that adds it: the task
    # ends only after main has added it, so it runs where Python runs it for a pending future.
    while not os.path.exists(gate):
        time.sleep(0.002)
    return square(x)

def done(f):
    print("done", f.result(), threading.current_thread().name)

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    with ctx.Pool(2, initializer=init, initargs=("pool", ctx.Barrier(2))) as p:
        print(p.map(square, [1, 2, 3, 4], chunksize=1))
    with tempfile.TemporaryDirectory() as d, ProcessPoolExecutor(2, mp_context=ctx) as ex:
        gate = os.path.join(d, "added")
        f = ex.submit(square_once_added, 5, gate)
        f.add_done_callback(done)
        open(gate, "w").close()
        f.result()
    print("end")
'''


class StartMethodsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.runs = {m: support.run(PROGRAM, m) for m in support.START_METHODS}

    def each(self):
        return self.runs.items()

    def root(self, run):
        return next(r.pid for r in run.records if r.type == R.MAIN_END)

    def test_the_program_runs_as_untraced(self):
        for method, run in self.each():
            with self.subTest(start_method=method):
                self.assertEqual(run.returncode, 0, run.stderr)
                root = self.root(run)
                main_lines = [r.text for r in run.of(R.LOG) if r.pid == root and run.lane_kind(r) == R.LANE_MAIN]
                self.assertEqual(main_lines, ['top %d' % root, '[1, 4, 9, 16]', 'end'])

    def test_tasks_run_in_child_processes_on_worker_lanes_of_their_pool(self):
        for method, run in self.each():
            with self.subTest(start_method=method):
                root = self.root(run)
                pools = {r.a: r.text for r in run.of(R.POOL, b=R.POOL_CREATED)}
                self.assertEqual(sorted(pools.values()), ['Pool', 'ProcessPoolExecutor'])
                starts = run.of(R.TASK_START)
                self.assertEqual(len(starts), 5)
                for s in starts:
                    self.assertNotEqual(s.pid, root)
                    self.assertEqual(s.lane, (s.pid, 0), 'a worker process draws on its main thread\'s lane')
                    self.assertEqual(run.lane_kind(s), R.LANE_WORKER)
                for w in run.of(R.WORKER, a=R.WORKER_START):
                    self.assertEqual(w.b, w.pid, 'a worker start names its own pid')
                    self.assertIn(run.lanes[w.lane]['pool'], pools)

    def test_children_record_on_the_parent_s_clock(self):
        for method, run in self.each():
            with self.subTest(start_method=method):
                submitted = {}
                for r in run.of(R.TASK_SUBMIT):
                    submitted[r.a] = (r.ts, r.b)
                for r in run.of(R.TASK_JOB):
                    submitted[r.b] = (r.ts, r.a)
                ready = {r.a: r.ts for r in run.of(R.JOB_READY)}
                ends = {r.a: r.ts for r in run.of(R.TASK_END)}
                for s in run.of(R.TASK_START):
                    at, job = submitted[s.a]
                    self.assertLess(at, s.ts, 'submitted (parent) before it started (child)')
                    self.assertLess(s.ts, ends[s.a])
                    self.assertLess(ends[s.a], ready[job], 'ended (child) before its job was ready (parent)')

    def test_what_children_print_is_on_their_lane(self):
        for method, run in self.each():
            with self.subTest(start_method=method):
                root = self.root(run)
                for text in ['in task %d' % i for i in range(1, 6)] + ['init pool', 'init pool']:
                    line = [r for r in run.of(R.LOG) if r.text == text]
                    self.assertTrue(line, '%r was not recorded' % text)
                    self.assertNotEqual(line[0].pid, root)
                    self.assertEqual(run.lane_kind(line[0]), R.LANE_WORKER)
                inits = run.of(R.INIT, b=-1)
                self.assertEqual(len(inits), 2)
                for i in inits:
                    self.assertEqual(run.lane_kind(i), R.LANE_WORKER)

    def test_a_spawned_worker_records_even_what_it_prints_while_importing_the_program(self):
        run = self.runs['spawn']
        root = self.root(run)
        tops = [r for r in run.of(R.LOG) if r.text.startswith('top ') and r.pid != root]
        self.assertTrue(tops, 'spawn imports the program again in each child, which prints "top"')
        for r in tops:
            self.assertEqual(r.text, 'top %d' % r.pid)
            self.assertEqual(run.lane_kind(r), R.LANE_WORKER)

    def test_a_process_executor_s_done_callback_runs_in_its_manager_thread(self):
        for method, run in self.each():
            with self.subTest(start_method=method):
                (cb,) = run.of(R.CB_START)
                self.assertEqual(cb.pid, self.root(run))
                self.assertEqual(run.lane_kind(cb), R.LANE_CALLBACK)
                ppe = next(r.a for r in run.of(R.POOL, b=R.POOL_CREATED) if r.text == 'ProcessPoolExecutor')
                self.assertEqual(run.lanes[cb.lane]['pool'], ppe)
                (printed,) = [r for r in run.of(R.LOG) if r.text.startswith('done 25')]
                self.assertEqual(printed.lane, cb.lane)


class UnsendableResultTest(unittest.TestCase):
    def test_a_result_that_cannot_be_pickled_back_amends_the_task_s_end(self):
        run = support.run('''\
            from multiprocessing import Pool
            from concurrent.futures import ProcessPoolExecutor

            def unpicklable(_):
                return lambda: 42

            if __name__ == "__main__":
                with Pool(1) as p:
                    try:
                        p.apply(unpicklable, (0,))
                    except Exception as e:
                        print(type(e).__name__)
                with ProcessPoolExecutor(1) as ex:
                    try:
                        ex.submit(unpicklable, 0).result()
                    except Exception as e:
                        print(type(e).__name__)
            ''')
        self.assertEqual(run.logs(), ['MaybeEncodingError', 'AttributeError'])
        for task, prefix in zip(sorted({r.a for r in run.of(R.TASK_END)}), ('MaybeEncodingError: Error sending result', 'AttributeError: ')):
            first, second = run.of(R.TASK_END, a=task)
            self.assertEqual(first.b, R.OK, 'the task itself returned')
            self.assertEqual(second.b, R.ERROR)
            self.assertTrue(second.text.startswith(prefix), second.text)
            self.assertEqual(second.lane, first.lane)


class ProcessExecutorReadinessTest(unittest.TestCase):
    def test_the_parent_says_each_job_is_ready_once_with_its_outcome_when_its_result_comes_in(self):
        run = support.run('''\
            from concurrent.futures import ProcessPoolExecutor

            def check(x):
                if x == 2:
                    raise ValueError("two")
                return x

            if __name__ == "__main__":
                with ProcessPoolExecutor(2) as ex:
                    fs = [ex.submit(check, x) for x in range(4)]
                    print([repr(f.exception()) for f in fs])
            ''')
        self.assertEqual(run.returncode, 0, run.stderr)
        root = min(r.pid for r in run.of(R.TASK_JOB))
        jobs = {j.b: j.a for j in run.of(R.TASK_JOB)}
        ends = {e.a: e for e in run.of(R.TASK_END)}
        readies = run.of(R.JOB_READY)
        self.assertEqual(sorted(r.a for r in readies), sorted(jobs.values()), 'one readiness for each job')
        for task, job in jobs.items():
            (ready,) = [r for r in readies if r.a == job]
            self.assertEqual(ready.b, ends[task].b, 'the outcome its task ended with')
            self.assertEqual(ready.pid, root)
            self.assertGreater(ready.ts, ends[task].ts)
        self.assertEqual(sorted(r.b for r in readies), [R.OK, R.OK, R.OK, R.ERROR])


class WorkerDeathTest(unittest.TestCase):
    def test_a_process_executor_whose_worker_dies_breaks_and_the_task_is_lost(self):
        run = support.run('''\
            import os
            from concurrent.futures import ProcessPoolExecutor

            def crash(code):
                os._exit(code)

            if __name__ == "__main__":
                with ProcessPoolExecutor(1) as ex:
                    f = ex.submit(crash, 3)
                    print(type(f.exception()).__name__)
            ''')
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn('BrokenProcessPool', run.logs())
        (task,) = run.of(R.TASK_START)
        (died,) = run.of(R.WORKER, a=R.WORKER_DIED)
        self.assertEqual((died.b, died.c, died.d), (3, 0, task.a), 'exit code 3, no signal, the task it was running')
        self.assertEqual(died.lane, task.lane, 'the parent writes the death on the dead worker\'s lane')
        self.assertNotEqual(died.pid, task.pid)
        (broken,) = run.of(R.POOL, b=R.POOL_BROKEN)
        self.assertIn('BrokenProcessPool', broken.text)
        self.assertEqual(len(run.of(R.JOB_READY, b=R.ERROR)), 1)

    def test_a_pool_worker_killed_mid_task_is_seen_with_its_signal(self):
        run = support.run('''\
            import os, signal, time
            from multiprocessing import Pool

            def die(_):
                os.kill(os.getpid(), signal.SIGKILL)

            def ok(x):
                return x

            if __name__ == "__main__":
                with Pool(1) as p:
                    r = p.apply_async(die, (0,))
                    print(p.apply(ok, (1,)))
            ''')
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.logs(), ['1'], 'the pool replaced the dead worker and ran the next task')
        lost = run.of(R.TASK_START)[0]
        (died,) = run.of(R.WORKER, a=R.WORKER_DIED)
        self.assertEqual((died.c, died.d), (9, lost.a))
        self.assertIn('SIGKILL', died.text)
        starts = run.of(R.WORKER, a=R.WORKER_START)
        self.assertEqual([s.c for s in starts], [0, 1], 'the second worker replaces the first')
        self.assertEqual(len(run.of(R.POOL, b=R.POOL_RESPAWN)), 1)


#: A program of the CLI's acceptance set that terminates a busy Pool; it takes the start method.
TERMINATE = os.path.join(os.path.dirname(os.path.dirname(support.HERE)), 'test', 'python', 'programs', 'terminate_drops.py')


class EndedByThePoolTest(unittest.TestCase):
    def test_terminate_loses_the_running_task_and_drops_the_queued_ones_whatever_the_start_method(self):
        for method in support.START_METHODS:
            with self.subTest(start_method=method):
                with open(TERMINATE) as f:
                    run = support.run(f.read(), method)
                self.assertEqual(run.returncode, 0, run.stderr)
                self.assertEqual(run.logs(), ['ready after terminate: [False, False, False, False, False, False]'])
                (started,) = run.of(R.TASK_START)
                (lost,) = run.of(R.TASK_END, b=R.LOST)
                self.assertEqual((lost.a, lost.lane, lost.text), (started.a, started.lane, 'the pool was terminated while it ran'))
                self.assertNotEqual(lost.pid, started.pid, 'the parent tells what the killed worker was running')
                submitted = {r.b for r in run.of(R.TASK_JOB)} | {r.a for r in run.of(R.TASK_SUBMIT)}
                self.assertEqual(len(submitted), 7, 'five apply_async tasks and two map chunks')
                self.assertEqual(sorted(r.a for r in run.of(R.TASK_DROP, b=R.CANCELLED)), sorted(submitted - {started.a}))
                self.assertEqual(run.of(R.WORKER, a=R.WORKER_DIED), [], 'terminate() ends its worker: no death')
                self.assertEqual(len(run.of(R.WORKER, a=R.WORKER_EXIT)), 1)


SIGNALS = '''\
import signal
import multiprocessing as mp

def usr2_of_worker(_):
    return signal.getsignal(signal.SIGUSR2) == signal.SIG_DFL

if __name__ == "__main__":
    with mp.get_context("fork").Pool(1) as p:
        print("worker's SIGUSR2 is the default:", p.apply(usr2_of_worker, (0,)))
'''


class SignalsTest(unittest.TestCase):
    def test_a_forked_worker_has_none_of_the_tracer_s_signal_handlers(self):
        run = support.run(SIGNALS)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("worker's SIGUSR2 is the default: True", run.logs())


if __name__ == '__main__':
    unittest.main()
