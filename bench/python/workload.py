"""One bench program: TASKS tasks on one of Python's four pools (2 workers), each task either
LOOPS iterations of a counting loop (the driver calibrates LOOPS to 1 ms of CPU) or, with
LOOPS = 0, nothing. It times itself from the pool's creation to its end and prints
`BENCH <seconds> <context switches>`, the switches its own process made meanwhile (every thread's,
not its worker processes'). The driver runs it as it is (untraced) and through `poolscope run` (traced).

    python3 workload.py ThreadPool|Pool|ThreadPoolExecutor|ProcessPoolExecutor TASKS LOOPS
    python3 workload.py calibrate      (prints the LOOPS that take 1 ms of CPU here)
"""
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import Pool
from multiprocessing.pool import ThreadPool

WORKERS = 2


def noop(arg):
    return arg


def work(loops):
    n = 0
    for _ in range(loops):
        n += 1
    return n


def calibrate():
    """Loops per ms of this thread's CPU time: the best of a few tries, so a preempted try does not count."""
    loops = 200_000
    best = float("inf")
    for _ in range(5):
        start = time.thread_time()
        work(loops)
        best = min(best, time.thread_time() - start)
    return round(loops / (best * 1000))


def switches():
    """The process's context switches so far, given up (waits) and taken away (preemption): one
    run of a program on a thread pool can make a hundred times as many as the next, and run slower."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_nvcsw + r.ru_nivcsw


def run(kind, tasks, loops):
    fn, arg = (work, loops) if loops > 0 else (noop, 0)
    switched = switches()
    started = time.perf_counter()
    if kind in ("ThreadPool", "Pool"):
        with (ThreadPool if kind == "ThreadPool" else Pool)(WORKERS) as pool:
            results = [pool.apply_async(fn, (arg,)) for _ in range(tasks)]
            for r in results:
                r.get()
    elif kind in ("ThreadPoolExecutor", "ProcessPoolExecutor"):
        with (ThreadPoolExecutor if kind == "ThreadPoolExecutor" else ProcessPoolExecutor)(max_workers=WORKERS) as executor:
            futures = [executor.submit(fn, arg) for _ in range(tasks)]
            for f in futures:
                f.result()
    else:
        raise SystemExit("unknown pool kind %r" % kind)
    return time.perf_counter() - started, switches() - switched


if __name__ == "__main__":
    if sys.argv[1:] == ["calibrate"]:
        print(calibrate())
    else:
        print("BENCH %.6f %d" % run(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
