# terminate() ends a Pool's worker processes at once: the task one of them was running is
# killed, the tasks still queued never run, and none of their results ever becomes ready.
# (Its argument, if any, is the start method: fork, spawn or forkserver.)
import sys
import threading
import time
import multiprocessing as mp

started = None


def remember(event):
    global started
    started = event


def serve(n):
    started.set()
    threading.Event().wait()  # until terminate() ends this process


def never(n):
    return n


if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1] if len(sys.argv) > 1 else None)
    running = ctx.Event()
    pool = ctx.Pool(1, initializer=remember, initargs=(running,))
    results = [pool.apply_async(serve, (0,))] + [pool.apply_async(never, (n,)) for n in range(1, 4)]
    results.append(pool.map_async(never, range(4), chunksize=2))
    results.append(pool.apply_async(never, (4,)))
    running.wait()
    # The pool's task handler makes a map's chunks only as it hands them on. It takes submissions
    # one after another, so once it has taken the last one the chunks before it are queued: wait
    # for that, or terminate() may come first and the map never has any tasks to drop.
    while not pool._taskqueue.empty():
        time.sleep(0.001)
    pool.terminate()
    pool.join()
    print("ready after terminate:", [r.ready() for r in results])
