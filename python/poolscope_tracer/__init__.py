"""poolscope's tracer for Python programs: runs a program unchanged and records its pools
(ThreadPool, Pool, ThreadPoolExecutor, ProcessPoolExecutor), their workers, callbacks and
waits, and everything it prints, as poolscope trace records. Standard library only.

`python3 -m poolscope_tracer prog.py [args...]` (see launch.py); the host that reads the
records is src/runtime/python/ in poolscope.
"""
