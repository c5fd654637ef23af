"""What the tracer keeps alive: a result held after its task ran does not keep the user's task
function alive, or what it holds, any more than it does untraced (a closure in a thread pool, a
callable object pickled to a process pool)."""
import unittest

import support

PROGRAM = '''\
import gc
import multiprocessing as mp
import weakref
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.pool import ThreadPool

class Payload:
    """What a task function holds: freed once nothing holds it."""
    n = 1

class Work:
    """A task function that is an object holding a payload (a process pool pickles it)."""
    def __init__(self, payload):
        self.payload = payload

    def __call__(self, x):
        return x + self.payload.n

def closure(payload):
    return lambda x: x + payload.n

def check(name, make, give, take):
    payload = Payload()
    alive = weakref.ref(payload)
    held = give(make(payload))
    take(held)
    del payload
    gc.collect()
    print(name, "its task function outlives its task" if alive() is not None else "freed", take(held))

if __name__ == "__main__":
    ctx = mp.get_context("fork")
    with ThreadPoolExecutor(1) as ex:
        check("ThreadPoolExecutor", closure, lambda fn: ex.submit(fn, 1), lambda f: f.result())
    with ProcessPoolExecutor(1, mp_context=ctx) as ex:
        check("ProcessPoolExecutor", Work, lambda fn: ex.submit(fn, 2), lambda f: f.result())
    with ThreadPool(1) as p:
        check("ThreadPool", closure, lambda fn: p.apply_async(fn, (3,)), lambda r: r.get())
    with ctx.Pool(1) as p:
        check("Pool", Work, lambda fn: p.apply_async(fn, (4,)), lambda r: r.get())
'''


class LifetimeTest(unittest.TestCase):
    def test_a_held_result_does_not_keep_its_task_function_alive(self):
        run = support.run(PROGRAM)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.logs(), ['ThreadPoolExecutor freed 2', 'ProcessPoolExecutor freed 3', 'ThreadPool freed 4', 'Pool freed 5'])


if __name__ == '__main__':
    unittest.main()
