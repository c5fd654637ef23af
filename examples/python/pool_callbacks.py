# multiprocessing.Pool as the tutorials teach it: map() for a batch, apply_async() with a
# callback that collects each result, imap_unordered() to take results as they finish.
# What the lanes show: the tasks run in the worker processes, while every callback runs in the
# main process, one at a time, on the pool's result-handler thread (the Callback lane).
import os
import time
from multiprocessing import Pool


def square(x):
    time.sleep(0.02)
    return x * x


def describe(x):
    return "task %d ran in process %d" % (x, os.getpid())


results = []


def collect(result):
    # Runs on the result-handler thread of the main process, never in a worker.
    results.append(result)


if __name__ == "__main__":
    with Pool(processes=2) as pool:
        print("map:", pool.map(square, range(8)))
        for i in range(4):
            pool.apply_async(square, (i,), callback=collect)
        pool.close()
        pool.join()
        print("collected by the callback:", sorted(results))
    with Pool(2) as pool:
        for line in pool.imap_unordered(describe, range(3)):
            print(line)
