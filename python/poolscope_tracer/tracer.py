"""Starting the tracer in a process of the run: the root (the launcher), a spawned or
forkserver child (bootstrapped by the command line its parent gave it), or a forked child
(which inherits all of it, see state.py)."""
from . import children, executors, output, pools, state, waits

_installed = False


def install(folder, trace_tasks=True):
    """Records this process into `folder` from now on, patching the pools once per process."""
    global _installed
    state.start(folder, trace_tasks)
    if _installed:
        return
    _installed = True
    pools.install()
    executors.install()
    children.patch()
    waits.patch_sleep()
    output.capture()
