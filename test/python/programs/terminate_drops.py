# terminate() ends a Pool's worker processes at once: the task one of them was running is
# killed, the tasks still queued never run, and none of their results ever becomes ready.
import threading
from multiprocessing import Event, Pool

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
    running = Event()
    pool = Pool(1, initializer=remember, initargs=(running,))
    results = [pool.apply_async(serve, (0,))] + [pool.apply_async(never, (n,)) for n in range(1, 4)]
    results.append(pool.map_async(never, range(4), chunksize=2))
    running.wait()
    pool.terminate()
    pool.join()
    print("ready after terminate:", [r.ready() for r in results])
