# terminate() cannot stop a thread: the task a ThreadPool's worker is running goes on to its end.
# The tasks still queued never run, and none of their results ever becomes ready.
import threading
from multiprocessing.pool import ThreadPool

running = threading.Event()
release = threading.Event()


def hold(n):
    running.set()
    release.wait()
    return n


def work(n):
    return n


if __name__ == "__main__":
    pool = ThreadPool(1)
    results = [pool.apply_async(hold, (0,))] + [pool.apply_async(work, (n,)) for n in range(1, 4)]
    running.wait()
    pool.terminate()
    print("ready after terminate:", [r.ready() for r in results])
    release.set()
