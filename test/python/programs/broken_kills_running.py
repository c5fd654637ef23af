# A worker process that dies breaks its ProcessPoolExecutor, and the executor ends the others:
# the task running in the other worker is killed with it, the tasks still queued never run,
# and every one of their futures fails with BrokenProcessPool.
import os
import threading
from concurrent.futures import ProcessPoolExecutor

import multiprocessing as mp

started = None


def remember(event):
    global started
    started = event


def serve():
    started.set()
    threading.Event().wait()  # until the executor ends this process


def crash():
    started.wait()  # the other worker is inside serve()
    os._exit(1)


def never(n):
    return n


if __name__ == "__main__":
    executor = ProcessPoolExecutor(max_workers=2, initializer=remember, initargs=(mp.Event(),))
    futures = [executor.submit(serve), executor.submit(crash)] + [executor.submit(never, n) for n in range(3)]
    for f in futures:
        print(type(f.exception()).__name__)
    executor.shutdown()
