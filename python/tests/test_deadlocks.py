"""A wait that can never return is found inside the waiting call, which writes DEADLOCK (the
host then ends the run) instead of hanging for ever as the untraced program does."""
import unittest

import support
from poolscope_tracer import records as R


def deadlock_in(test, source, *args):
    """Runs a program that hangs untraced; returns (run, its DEADLOCK record, the wait it ends)."""
    run = support.run(source, *args, until=support.has(R.DEADLOCK))
    deadlocks = run.of(R.DEADLOCK)
    test.assertEqual(len(deadlocks), 1, 'no deadlock found; printed:\n%s' % '\n'.join(run.logs()))
    (d,) = deadlocks
    (wait,) = run.of(R.WAIT_START, a=d.a)
    test.assertFalse(run.of(R.WAIT_END, a=d.a), 'the wait never ended')
    test.assertEqual(run.string(d, 'c'), run.string(wait, 'c'), 'DEADLOCK names the waiting line')
    test.assertEqual(d.lane, wait.lane)
    return run, d, wait


def line_of(source, text):
    import textwrap
    return next(i for i, l in enumerate(textwrap.dedent(source).split('\n'), 1) if text in l)


RAISING_CALLBACK = '''\
    import sys
    from multiprocessing.pool import Pool, ThreadPool

    def ok(x):
        return x

    def bad_cb(v):
        raise RuntimeError("callback raised")

    if __name__ == "__main__":
        cls = {"thread": ThreadPool, "proc": Pool}[sys.argv[1]]
        p = cls(2)
        r = p.apply_async(ok, (1,), callback=bad_cb)
        print("waiting")
        r.get()
        print("never printed")
    '''


class DeadlockTest(unittest.TestCase):
    def test_a_raising_callback_kills_the_result_handler_and_get_never_returns(self):
        for kind in ('thread', 'proc'):
            with self.subTest(pool=kind):
                run, d, wait = deadlock_in(self, RAISING_CALLBACK, kind)
                self.assertIn("result handler thread died (RuntimeError: callback raised)", d.text)
                self.assertEqual((run.string(wait, 'b'), run.line_of(wait, 'c')), ('get', line_of(RAISING_CALLBACK, 'r.get()')))
                (job,) = run.of(R.TASK_JOB)
                self.assertEqual(d.b, job.a, 'it names the awaited job')
                self.assertEqual(len(run.of(R.POOL, b=R.POOL_HANDLER_DIED)), 1)
                self.assertNotIn('never printed', run.logs())

    def test_a_wait_with_a_timeout_is_no_deadlock(self):
        run = support.run('''\
            from multiprocessing import TimeoutError
            from multiprocessing.pool import ThreadPool

            def ok(x):
                return x

            def bad_cb(v):
                raise RuntimeError("callback raised")

            if __name__ == "__main__":
                p = ThreadPool(1)
                r = p.apply_async(ok, (1,), callback=bad_cb)
                try:
                    r.get(timeout=0.2)
                except TimeoutError:
                    print("timed out")
            ''')
        self.assertIn('timed out', run.logs())
        self.assertFalse(run.of(R.DEADLOCK))
        (end,) = run.of(R.WAIT_END)
        self.assertEqual(end.b, R.WAIT_TIMEOUT)

    def test_close_then_join_with_a_dead_result_handler(self):
        source = '''\
            from multiprocessing.pool import ThreadPool

            def ok(x):
                return x

            def bad_cb(v):
                raise RuntimeError("callback raised")

            if __name__ == "__main__":
                p = ThreadPool(2)
                p.apply_async(ok, (1,), callback=bad_cb)
                p.close()
                p.join()
            '''
        run, d, wait = deadlock_in(self, source)
        self.assertEqual((run.string(wait, 'b'), run.line_of(wait, 'c')), ('join', line_of(source, 'p.join()')))
        self.assertIn('result handler thread died', d.text)

    def test_get_on_a_terminated_pool(self):
        source = '''\
            import threading
            from multiprocessing.pool import ThreadPool

            def block(gate):
                gate.wait()

            if __name__ == "__main__":
                gate = threading.Event()  # never set: the one worker stays busy, q stays queued
                p = ThreadPool(1)
                p.apply_async(block, (gate,))
                q = p.apply_async(block, (gate,))
                p.terminate()
                q.get()
            '''
        run, d, wait = deadlock_in(self, source)
        self.assertIn('terminated', d.text)

    def test_an_initializer_that_always_raises(self):
        source = '''\
            import sys
            from multiprocessing.pool import Pool, ThreadPool

            def init():
                raise ValueError("init failed")

            def ok(x):
                return x

            if __name__ == "__main__":
                cls = {"thread": ThreadPool, "proc": Pool}[sys.argv[1]]
                p = cls(2, initializer=init)
                print(p.apply(ok, (1,)))
            '''
        for kind in ('thread', 'proc'):
            with self.subTest(pool=kind):
                run, d, wait = deadlock_in(self, source, kind)
                self.assertIn('initializer raised in every worker', d.text)
                self.assertEqual(run.string(wait, 'b'), 'apply')
                self.assertGreaterEqual(len(run.of(R.INIT, b=R.ERROR)), 2)

    def test_a_task_lost_with_its_worker(self):
        source = '''\
            import os, signal
            from multiprocessing import Pool

            def die(_):
                os.kill(os.getpid(), signal.SIGKILL)

            if __name__ == "__main__":
                with Pool(1) as p:
                    p.apply_async(die, (0,)).get()
            '''
        run, d, wait = deadlock_in(self, source)
        self.assertIn('a worker died while running its task', d.text)
        (died,) = run.of(R.WORKER, a=R.WORKER_DIED)
        self.assertEqual(died.d, run.of(R.TASK_START)[0].a)

    def test_a_keyerror_in_a_callback_is_swallowed_and_its_job_never_ready(self):
        source = '''\
            from multiprocessing.pool import ThreadPool

            def ok(x):
                return x

            def lookup(v):
                return {}[v]

            if __name__ == "__main__":
                p = ThreadPool(1)
                r = p.apply_async(ok, (1,), callback=lookup)
                print("later jobs still complete:", p.apply(ok, (2,)))
                r.get()
            '''
        run, d, wait = deadlock_in(self, source)
        self.assertEqual(run.logs()[0], 'later jobs still complete: 2')
        self.assertIn('its callback raised KeyError: 1, which the result handler swallowed', d.text)
        self.assertFalse(run.of(R.POOL, b=R.POOL_HANDLER_DIED))


if __name__ == '__main__':
    unittest.main()
