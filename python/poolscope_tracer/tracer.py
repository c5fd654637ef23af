"""Starting the tracer in a process of the run: the root (the launcher), a spawned or
forkserver child (bootstrapped by the command line its parent gave it), or a forked child
(which inherits all of it, see state.py)."""
from . import children, executors, output, pools, state, waits

_installed = False


def install(folder, trace_tasks=True, root=False):
    """Records this process into `folder` from now on, patching the pools once per process.
    root: the run's own process, whose main thread is the program's Main."""
    global _installed
    state.start(folder, trace_tasks, root)
    if _installed:
        return
    _installed = True
    pools.install()
    executors.install()
    children.patch()
    waits.patch_sleep()
    output.capture()
