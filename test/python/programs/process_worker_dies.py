# A ProcessPoolExecutor whose worker dies in the middle of a task (os._exit stands for a crash,
# a segfault in a C extension, the OOM killer): the executor breaks, every pending and running
# future fails with BrokenProcessPool, and later submit() calls raise it too.
import os
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool


def work(n):
    if n == 3:
        os._exit(1)
    time.sleep(0.05)
    return n * 10


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as executor:
        futures = [executor.submit(work, n) for n in range(6)]
        for f in futures:
            try:
                print("result:", f.result())
            except BrokenProcessPool as e:
                print("broken:", type(e).__name__)
        try:
            executor.submit(work, 7)
        except BrokenProcessPool as e:
            print("submit after the crash:", e)
