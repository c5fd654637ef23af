"""A task's clocks on its TASK_END: its thread's CPU time (e) and, on Linux, the time that
thread was runnable but waiting for a CPU (f), which gil-bound needs on a busy machine."""
import os
import time
import unittest

import support
from poolscope_tracer import records as R
from poolscope_tracer import threadclock

HAS_SCHEDSTAT = os.path.exists('/proc/thread-self/schedstat')


def _compute_for(seconds):
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        pass


class ThreadClockTest(unittest.TestCase):
    @unittest.skipUnless(HAS_SCHEDSTAT and hasattr(os, 'sched_setaffinity'), 'the wait for a CPU is read on Linux only')
    def test_a_task_sharing_its_one_cpu_with_a_busy_process_waited_for_it(self):
        # Main, its worker thread and a spinning child process all on one CPU: while the task
        # computes for 50 ms of its own CPU time, the child holds the CPU for about as long.
        run = support.run('''\
            import os, signal, time
            from multiprocessing.pool import ThreadPool

            def spin(seconds):
                start = time.thread_time()
                while time.thread_time() - start < seconds:
                    pass

            if __name__ == "__main__":
                os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
                child = os.fork()
                if child == 0:
                    while True:
                        pass
                try:
                    with ThreadPool(1) as p:
                        p.apply(spin, (0.05,))
                finally:
                    os.kill(child, signal.SIGKILL)
                    os.waitpid(child, 0)
            ''')
        self.assertEqual(run.returncode, 0, run.stderr)
        (end,) = run.of(R.TASK_END)
        self.assertGreaterEqual(end.e, 50000, 'it computed for 50 ms of its own CPU time')
        self.assertGreater(end.f, 0, 'and waited for the CPU the busy process held')

    def test_without_schedstat_the_wait_is_unknown_and_the_cpu_time_still_known(self):
        threadclock.mark()
        clocks = threadclock._threads.clocks
        fd, clocks.fd = clocks.fd, -1
        try:
            threadclock.mark()
            started = time.monotonic_ns()
            _compute_for(0.005)
            cpu, wait = threadclock.since_last_task(started)
        finally:
            clocks.fd = fd
        self.assertGreaterEqual(cpu, 5000)
        self.assertEqual(wait, -1)

    @unittest.skipUnless(HAS_SCHEDSTAT, 'the wait for a CPU is read on Linux only')
    def test_short_tasks_leave_their_wait_to_the_next_task_that_computes_for_a_millisecond(self):
        threadclock.mark()
        short = threadclock.since_last_task(time.monotonic_ns())
        started = time.monotonic_ns()
        _compute_for(0.005)
        long = threadclock.since_last_task(started)
        self.assertEqual(short[1], -1, 'a task of under 1 ms of CPU does not read the wait')
        self.assertGreaterEqual(long[0], 5000)
        self.assertGreaterEqual(long[1], 0, 'one that computed for 5 ms does')

    def test_short_tasks_are_credited_their_wall_time_and_the_next_reading_the_rest(self):
        before = time.thread_time_ns()
        threadclock.mark()
        clocks = threadclock._threads.clocks
        reported = []
        for _ in range(3):
            started = time.monotonic_ns()
            read_before = clocks.cpu
            cpu, wait = threadclock.since_last_task(started)
            ran = (time.monotonic_ns() - started) // 1000
            self.assertEqual(clocks.cpu, read_before, 'a task of a few µs right after a reading does not read the clock')
            self.assertLessEqual(cpu, ran, 'and is credited at most its wall time')
            self.assertEqual(wait, -1)
            reported.append(cpu)
        started = time.monotonic_ns()
        _compute_for(0.005)
        cpu, _ = threadclock.since_last_task(started)
        reported.append(cpu)
        used = (time.thread_time_ns() - before) // 1000
        self.assertGreaterEqual(cpu, 5000 - sum(reported[:3]), 'the task that is read reports what the thread used since, less the credits')
        self.assertLessEqual(sum(reported), used + len(reported), 'so the tasks add up to no more than the thread used')

    def test_a_thread_of_short_tasks_is_read_once_a_millisecond_at_most(self):
        threadclock.mark()
        clocks = threadclock._threads.clocks
        clocks.credited = 7
        clocks.read_at -= threadclock.READ_EVERY_NS
        started = time.monotonic_ns()
        threadclock.since_last_task(started)
        self.assertGreaterEqual(clocks.read_at, started, 'a short task 1 ms after the last reading reads the clock')
        self.assertEqual(clocks.credited, 0, 'which settles the credits')

    def test_a_thread_never_marked_reads_neither_clock(self):
        out = []
        t = __import__('threading').Thread(target=lambda: out.append(threadclock.since_last_task(time.monotonic_ns())))
        t.start()
        t.join()
        self.assertEqual(out, [(-1, -1)])

    @unittest.skipUnless(HAS_SCHEDSTAT and hasattr(os, 'fork'), 'a forked child on Linux')
    def test_a_forked_child_reads_its_own_thread_not_its_parent_s(self):
        threadclock.mark()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            threadclock.mark()
            os.write(write, os.readlink('/proc/self/fd/%d' % threadclock._threads.clocks.fd).encode())
            os._exit(0)
        os.close(write)
        opened = os.read(read, 256).decode()
        os.close(read)
        os.waitpid(pid, 0)
        self.assertTrue(opened.endswith('/task/%d/schedstat' % pid), 'the child reads its own thread\'s schedstat, not %s' % opened)


if __name__ == '__main__':
    unittest.main()
