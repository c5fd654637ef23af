# Done callbacks on a ProcessPoolExecutor run in the executor's manager thread of the main
# process, not in the worker process that ran the task; a done callback that raises is logged
# ("exception calling callback for ...") and the others still run.
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor


def keep(event):
    global gate
    gate = event


def cube(n):
    # A callback added to a future that is already done runs at once, in main: the task waits
    # until main has added both, so they run where Python runs them for a pending future.
    gate.wait()
    return n ** 3


def show(future):
    print("callback in", threading.current_thread().name, "->", future.result())


def broken(future):
    raise LookupError("no such record")


if __name__ == "__main__":
    added = multiprocessing.Event()
    with ProcessPoolExecutor(max_workers=2, initializer=keep, initargs=(added,)) as executor:
        f = executor.submit(cube, 3)
        f.add_done_callback(broken)
        f.add_done_callback(show)
        added.set()
        print("result:", f.result())
