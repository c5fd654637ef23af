"""A ThreadPool program, traced: its lanes, jobs, tasks, callbacks and waits."""
import unittest

import support
from poolscope_tracer import records as R

PROGRAM = '''\
import sys
import threading
import time
from multiprocessing.pool import ThreadPool
''' + support.WHEN_MAIN_WAITS + '''
def square(x):
    when_main_waits()
    return x * x

def boom(x):
    raise ValueError("boom %d" % x)

def show(v):
    print("callback got", v)

if __name__ == "__main__":
    with ThreadPool(2) as p:
        r = p.apply_async(square, (3,), callback=show)
        print("get:", r.get())
        print(p.map(square, range(6), chunksize=2))
        bad = p.apply_async(boom, (7,))
        try:
            bad.get()
        except ValueError as e:
            print("raised", e)
    print("done")
'''


def line(text):
    return PROGRAM.split('\n').index(next(l for l in PROGRAM.split('\n') if text in l)) + 1


class ThreadPoolTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.run_ = support.run(PROGRAM)

    def test_program_runs_as_it_would_untraced(self):
        run = self.run_
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout, '', 'printed lines are records, not output')
        self.assertEqual(run.logs(), ['callback got 9', 'get: 9', '[0, 1, 4, 9, 16, 25]', 'raised boom 7', 'done'])
        self.assertEqual(run.project_files, ['prog.py'], 'nothing is written into the program folder')

    def test_lanes_main_callback_and_one_per_worker_thread(self):
        run = self.run_
        (pool,) = run.of(R.POOL, b=R.POOL_CREATED)
        self.assertEqual(pool.text, 'ThreadPool')
        self.assertEqual(pool.d, 2)
        self.assertEqual(run.string(pool, 'c').rsplit(':', 2)[1], str(line('with ThreadPool(2)')))
        kinds = sorted((l['kind'], l['pool']) for l in run.lanes.values())
        self.assertEqual(kinds, [(R.LANE_MAIN, -1), (R.LANE_CALLBACK, pool.a), (R.LANE_WORKER, pool.a), (R.LANE_WORKER, pool.a)])
        starts = run.of(R.WORKER, a=R.WORKER_START)
        self.assertEqual(len(starts), 2)
        self.assertEqual({s.lane for s in starts}, {k for k, l in run.lanes.items() if l['kind'] == R.LANE_WORKER})

    def test_tasks_run_on_worker_lanes_with_their_outcome(self):
        run = self.run_
        (job,) = run.of(R.TASK_JOB, e=run.of(R.TASK_JOB)[0].e)[:1]
        self.assertEqual(run.string(job, 'd').rsplit(':', 2)[1], str(line('p.apply_async(square')))
        self.assertEqual(run.string(job, 'e'), 'square')
        (start,) = run.of(R.TASK_START, a=job.b)
        (end,) = run.of(R.TASK_END, a=job.b)
        self.assertEqual(run.lane_kind(start), R.LANE_WORKER)
        self.assertEqual(start.lane, end.lane)
        self.assertEqual((end.b, end.text), (R.OK, '9'))
        failed = [r for r in run.of(R.TASK_END) if r.b == R.ERROR]
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0].text.split('\n')[0], 'ValueError: boom 7')
        self.assertIn('line %d, in boom' % line('raise ValueError'), failed[0].text)
        self.assertNotIn('poolscope_tracer', failed[0].text)

    def test_map_is_one_job_of_one_task_per_chunk(self):
        run = self.run_
        (job,) = run.of(R.JOB)
        self.assertEqual((run.string(job, 'c'), job.e), ('map', 3))
        subs = run.of(R.TASK_SUBMIT, b=job.a)
        self.assertEqual([s.text for s in subs], ['0, 1', '2, 3', '4, 5'])
        ends = [r for r in run.of(R.TASK_END) if r.a in {s.a for s in subs}]
        self.assertEqual(sorted(r.text for r in ends), ['[0, 1]', '[16, 25]', '[4, 9]'])
        (ready,) = run.of(R.JOB_READY, a=job.a)
        self.assertEqual((ready.b, ready.c), (R.OK, 1))

    def test_callback_runs_on_the_result_handler_lane_before_the_job_is_ready(self):
        run = self.run_
        (reg,) = run.of(R.CB_REG)
        (cb,) = run.of(R.CB_START)
        (cb_end,) = run.of(R.CB_END)
        self.assertEqual((run.string(cb, 'c'), cb.b), ('show', R.CB_RESULT))
        self.assertEqual(run.lane_kind(cb), R.LANE_CALLBACK)
        self.assertEqual(run.lanes[cb.lane]['pool'], run.of(R.POOL)[0].a)
        (printed,) = [r for r in run.of(R.LOG) if r.text == 'callback got 9']
        self.assertEqual(printed.lane, cb.lane, 'a print in a callback is on the callback lane')
        (result_in,) = run.of(R.RESULT_IN, a=reg.a)
        (ready,) = run.of(R.JOB_READY, a=reg.a)
        self.assertTrue(result_in.ts <= cb.ts <= cb_end.ts <= ready.ts)
        self.assertEqual((ready.b, ready.c), (R.OK, 0))

    def test_waits_on_main_at_the_waiting_line(self):
        run = self.run_
        waits = run.of(R.WAIT_START)
        self.assertEqual([(run.string(w, 'b'), int(run.string(w, 'c').rsplit(':', 2)[1])) for w in waits],
                         [('get', line('r.get()')), ('map', line('p.map(square')), ('get', line('bad.get()'))])
        for w in waits:
            self.assertEqual(run.lane_kind(w), R.LANE_MAIN)
        self.assertEqual([e.b for e in run.of(R.WAIT_END)], [R.WAIT_OK, R.WAIT_OK, R.WAIT_ERROR])
        failed_job = run.of(R.TASK_JOB)[-1].a
        self.assertEqual(len(run.of(R.RETRIEVED, a=failed_job)), 1, 'get() raising the error retrieves it')

    def test_lifecycle_marks_and_main_end(self):
        run = self.run_
        self.assertEqual(len(run.of(R.POOL, b=R.POOL_TERMINATE)), 1, 'leaving `with` terminates')
        (end,) = run.of(R.MAIN_END)
        self.assertEqual(end.a, R.MAIN_RETURNED)


if __name__ == '__main__':
    unittest.main()


class ResultAlreadyThereTest(unittest.TestCase):
    def test_a_get_or_result_that_finds_its_outcome_there_draws_no_wait_unless_it_raises(self):
        program = '''\
            from concurrent.futures import ThreadPoolExecutor, wait
            from multiprocessing.pool import ThreadPool

            def square(x):
                return x * x

            def boom(x):
                raise ValueError("boom %d" % x)

            if __name__ == "__main__":
                with ThreadPool(2) as p:
                    r = p.apply_async(square, (3,))
                    r.wait()
                    print(r.get())
                    bad = p.apply_async(boom, (1,))
                    bad.wait()
                    try:
                        bad.get()
                    except ValueError as error:
                        print("raised", error)
                with ThreadPoolExecutor(2) as ex:
                    f = ex.submit(square, 3)
                    wait([f])
                    print(f.result(), f.exception())
                    e = ex.submit(boom, 2)
                    wait([e])
                    try:
                        e.result()
                    except ValueError as error:
                        print("raised", error)
            '''
        run = support.run(program)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.logs(), ['9', 'raised boom 1', '9 None', 'raised boom 2'])
        at = {run.line_of(w, 'c'): w for w in run.of(R.WAIT_START)}
        for quick in ('print(r.get())', 'print(f.result(), f.exception())'):
            self.assertNotIn(support.line_in(program, quick), at, '%s returned at once: no wait' % quick)
        failed = [j.a for j in run.of(R.TASK_JOB) if run.string(j, 'e') == 'boom']
        self.assertEqual(len(failed), 2)
        for raising, job in zip(('    bad.get()', '    e.result()'), failed):
            (end,) = run.of(R.WAIT_END, a=at[support.line_in(program, raising)].a)
            self.assertEqual(end.b, R.WAIT_ERROR, '%s raised: drawn, ready or not' % raising.strip())
            self.assertEqual(len(run.of(R.RETRIEVED, a=job)), 1, 'and it retrieves the error')


class TaskCpuTimeTest(unittest.TestCase):
    def test_a_task_s_cpu_time_on_its_own_thread_rides_on_its_end(self):
        run = support.run('''\
            import time
            from multiprocessing.pool import ThreadPool

            def spin(seconds):
                start = time.thread_time()
                while time.thread_time() - start < seconds:
                    pass

            def rest(seconds):
                time.sleep(seconds)

            if __name__ == "__main__":
                with ThreadPool(1) as p:
                    p.apply(spin, (0.05,))
                    p.apply(rest, (0.05,))
            ''')
        self.assertEqual(run.returncode, 0, run.stderr)
        spun, rested = run.of(R.TASK_END)
        self.assertGreaterEqual(spun.e, 50000, 'a task that computed for 50 ms of its thread\'s CPU')
        self.assertLess(rested.e, 50000, 'a task that slept for 50 ms used less')


class TerminateTest(unittest.TestCase):
    def test_terminate_drops_the_queued_tasks_and_leaves_the_running_one(self):
        with open(support.TERMINATE_THREADS) as f:
            run = support.run(f.read())
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.logs(), ['ready after terminate: [False, False, False, False]'])
        held, *queued = [j.b for j in run.of(R.TASK_JOB)]
        self.assertEqual(sorted(d.a for d in run.of(R.TASK_DROP)), queued, 'the queued tasks never run')
        for drop in run.of(R.TASK_DROP):
            self.assertEqual((drop.b, run.lane_kind(drop)), (R.CANCELLED, R.LANE_MAIN), 'dropped by the thread that called terminate()')
        self.assertEqual([s.a for s in run.of(R.TASK_START)], [held], 'the task a thread runs is not stopped')
