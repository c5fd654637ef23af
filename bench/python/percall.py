"""What one no-op task costs a thread pool, untraced and traced, per call, without the GIL
hand-overs that make whole runs of such tasks differ by half from one run to the next
(bench/RESULTS.md, "where the time goes"). The pool's two workers are held while TASKS tasks are
submitted ("submit"), then let go until they have run them all ("run"), then each result is
taken ("result"). Best of ROUNDS, in µs per task.

    python3 bench/python/percall.py [TASKS] [ROUNDS]

It runs itself twice, as it is and under the tracer (`python -m poolscope_tracer`, its records
in a temporary folder that is removed after), and prints both with their ratio.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.pool import ApplyResult, ThreadPool

HERE = os.path.dirname(os.path.abspath(__file__))
TRACER = os.path.join(HERE, '..', '..', 'python')
STEPS = ('submit', 'run', 'result')


def noop(x):
    return x


def finish_executor(ex):
    ex.shutdown(wait=True)


def finish_pool(pool):
    pool.close()
    pool.join()


#: kind: (the pool, how a task is given to it, its argument, the end, what takes a result)
KINDS = {
    'ThreadPoolExecutor': (lambda: ThreadPoolExecutor(2), 'submit', 0, finish_executor, Future.result),
    'ThreadPool': (lambda: ThreadPool(2), 'apply_async', (0,), finish_pool, ApplyResult.get),
}


def one_round(kind, tasks):
    """(submit, run, result) ns for `tasks` no-op tasks on a new pool of `kind`."""
    make, method, arg, finish, take = KINDS[kind]
    pool = make()
    give = getattr(pool, method)
    held = threading.Event()
    give(held.wait)
    give(held.wait)
    t0 = time.perf_counter_ns()
    handles = [give(noop, arg) for _ in range(tasks)]
    t1 = time.perf_counter_ns()
    held.set()
    finish(pool)
    t2 = time.perf_counter_ns()
    for h in handles:
        take(h)
    return t1 - t0, t2 - t1, time.perf_counter_ns() - t2


def measure(tasks, rounds):
    """{kind: [best submit, run, result µs per task]}"""
    out = {}
    for kind in KINDS:
        best = [float('inf')] * 3
        for _ in range(rounds):
            best = [min(b, ns / tasks / 1000) for b, ns in zip(best, one_round(kind, tasks))]
        out[kind] = best
    return out


def run_child(traced, tasks, rounds):
    env = dict(os.environ, PERCALL_CHILD='1')
    cmd = [sys.executable, os.path.abspath(__file__), str(tasks), str(rounds)]
    folder = None
    if traced:
        folder = tempfile.mkdtemp(prefix='poolscope-percall-')
        # Imported here, in the parent only: the untraced child stays a plain program.
        sys.path.insert(0, TRACER)
        from poolscope_tracer.launch import RUN_DIR
        env.update({RUN_DIR: folder, 'PYTHONPATH': os.path.abspath(TRACER)})
        cmd[1:1] = ['-m', 'poolscope_tracer']
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    finally:
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    if os.environ.get('PERCALL_CHILD'):
        # Straight to the descriptor: the tracer records what print() writes.
        os.write(1, (json.dumps(measure(tasks, rounds)) + '\n').encode())
        return
    untraced, traced = run_child(False, tasks, rounds), run_child(True, tasks, rounds)
    print('%d no-op tasks on 2 workers, best of %d rounds, µs per task (untraced / traced, ratio)' % (tasks, rounds))
    for kind in untraced:
        cells = ['%s %.2f / %.2f (%.2f×)' % (step, u, t, t / u) for step, u, t in zip(STEPS, untraced[kind], traced[kind])]
        print('%-18s %s' % (kind, ', '.join(cells)))


if __name__ == '__main__':
    main()
