# terminate() drops the work still queued: its results never become ready, so a get() without a
# timeout on one of them waits for ever. In plain Python this program never ends.
import time
from multiprocessing.pool import ThreadPool


def slow(n):
    time.sleep(0.2)
    return n


if __name__ == "__main__":
    pool = ThreadPool(1)
    results = [pool.apply_async(slow, (n,)) for n in range(3)]
    print("first:", results[0].get())
    pool.terminate()
    print("last:", results[2].get())
