"""The tracer's state in this process. Empty (rec is None) until start(); a forked child
starts its own file, lanes and id blocks before it runs anything (os.register_at_fork).

Hot paths read `state.rec`, `state.writer` and `state.lanes` at call time, so a fork that
replaces them is seen everywhere at once.
"""
import os

from . import records as R
from .ids import IdBlocks
from .lanes import Lanes

rec = None
writer = None
lanes = None
folder = None
#: False: printed lines, lifecycle and deadlocks only (`--no-trace`); no per-task records.
tasks = True
pid = None
pool_ids = job_ids = task_ids = wait_ids = None
is_root = False
_forks_registered = False


def start(run_folder, trace_tasks=True, root=False):
    """Starts recording this process into run_folder (idempotent). root: the run's own process."""
    global folder, tasks, pool_ids, job_ids, task_ids, wait_ids, _forks_registered, is_root
    if rec is not None:
        return
    is_root = root
    folder = run_folder
    tasks = trace_tasks
    # Pool ids stay below TASK_JOB_POOLS in all but very wide runs: small blocks.
    pool_ids = IdBlocks(folder, 'pool', 16)
    job_ids = IdBlocks(folder, 'job', 1 << 16)
    task_ids = IdBlocks(folder, 'task', 1 << 16)
    wait_ids = IdBlocks(folder, 'wait', 1 << 12)
    _open_file()
    if not _forks_registered:
        os.register_at_fork(after_in_child=_after_fork_in_child)
        _forks_registered = True


def _open_file():
    global rec, writer, lanes, pid
    pid = os.getpid()
    path = os.path.join(folder, 'p%d.rec' % pid)
    n = 0
    while True:
        try:
            writer = R.Writer(path)
            break
        except FileExistsError:
            # A pid reused within the run (a long run with many short-lived workers).
            n += 1
            path = os.path.join(folder, 'p%d-%d.rec' % (pid, n))
    lanes = Lanes(writer, is_root)
    rec = writer.rec


def _after_fork_in_child():
    global is_root
    if rec is None:
        return
    is_root = False
    writer.close()
    for ids in (pool_ids, job_ids, task_ids, wait_ids):
        ids.reset()
    _open_file()
    for hook in after_fork_hooks:
        hook()


#: Called in a forked child once it has its own file (each module resets what it keeps per process).
after_fork_hooks = []
