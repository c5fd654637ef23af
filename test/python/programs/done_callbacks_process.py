# Done callbacks on a ProcessPoolExecutor run in the executor's manager thread of the main
# process, not in the worker process that ran the task; a done callback that raises is logged
# ("exception calling callback for ...") and the others still run.
import threading
from concurrent.futures import ProcessPoolExecutor


def cube(n):
    return n ** 3


def show(future):
    print("callback in", threading.current_thread().name, "->", future.result())


def broken(future):
    raise LookupError("no such record")


if __name__ == "__main__":
    with ProcessPoolExecutor(max_workers=2) as executor:
        f = executor.submit(cube, 3)
        f.add_done_callback(broken)
        f.add_done_callback(show)
        print("result:", f.result())
