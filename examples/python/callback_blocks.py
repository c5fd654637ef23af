# A result callback that blocks: the tutorials warn that callbacks must be quick, because all of
# a pool's callbacks run one at a time on its single result-handler thread. Here the first
# callback to run writes to a slow "database" for 0.5 s; the other results have long finished,
# but wait behind it for their own callbacks and for anyone calling get() on them.
import time
from multiprocessing.pool import ThreadPool


def fetch(n):
    time.sleep(0.01)
    return n


saved = []


def save(n):
    if not saved:
        time.sleep(0.5)  # a slow first write
    saved.append(n)
    print("saved", n)


if __name__ == "__main__":
    with ThreadPool(4) as pool:
        results = [pool.apply_async(fetch, (n,), callback=save) for n in range(6)]
        print("last result:", results[-1].get())
