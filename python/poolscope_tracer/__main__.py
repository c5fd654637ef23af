"""`python3 path/to/poolscope_tracer/__main__.py prog.py [args...]`, or `-m poolscope_tracer`."""
import os
import sys

MINIMUM = (3, 9)

if sys.version_info < MINIMUM:
    sys.stderr.write('poolscope: Python %d.%d is too old to trace: it needs Python %d.%d or later\n' % (sys.version_info[:2] + MINIMUM))
    sys.exit(2)

if __package__ in (None, ''):
    # Run by path: make the package importable (launch leaves sys.path to the program).
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from poolscope_tracer.launch import main  # noqa: E402

main(sys.argv[1:])
