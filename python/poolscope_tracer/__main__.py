"""`python3 path/to/poolscope_tracer/__main__.py prog.py [args...]`, or `-m poolscope_tracer`."""
import json
import os
import sys

MINIMUM = (3, 9)

if sys.version_info < MINIMUM:
    message = 'Python %d.%d is too old to trace: poolscope needs Python %d.%d or later' % (sys.version_info[:2] + MINIMUM)
    folder = os.environ.get('POOLSCOPE_RUN_DIR')
    if folder:
        with open(os.path.join(folder, 'bad-input.json'), 'w') as f:
            json.dump({'message': message}, f)
    sys.stderr.write('poolscope: %s\n' % message)
    sys.exit(2)

if __package__ in (None, ''):
    # Run by path: make the package importable (launch leaves sys.path to the program).
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from poolscope_tracer.launch import main  # noqa: E402

main(sys.argv[1:])
