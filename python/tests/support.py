"""Running a program under the tracer the way poolscope's host does, and reading what it wrote."""
import collections
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from poolscope_tracer import records as R  # noqa: E402

LAUNCHER = os.path.join(os.path.dirname(HERE), 'poolscope_tracer', '__main__.py')

Record = collections.namedtuple('Record', 'type lane ts a b c d e f text pid')


class Run:
    """A finished traced run: its exit status, what reached the real stdout/stderr, and every
    process's records, with strings resolved and lanes named by (pid, key)."""

    def __init__(self, proc, files, project_files):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        #: what the program's folder holds after the run
        self.project_files = project_files
        self.records = []
        self.lanes = {}
        self.strings = {}
        for path, recs in files.items():
            pid = int(os.path.basename(path)[1:].split('.')[0].split('-')[0])
            strs = {}
            local = {}
            for t in recs:
                type_, lane, ts, a, b, c, d, e, f, text = t
                if type_ == R.STR:
                    strs[a] = text
                    continue
                if type_ == R.LANE:
                    local[a] = (d, e)
                    self.lanes.setdefault((d, e), {'kind': b, 'pool': c, 'name': text})
                self.records.append(Record(type_, local.get(lane), ts, a, b, c, d, e, f, text, pid))
            self.strings[pid] = strs
        self.records.sort(key=lambda r: r.ts)

    def of(self, type_, **fields):
        return [r for r in self.records if r.type == type_ and all(getattr(r, k) == v for k, v in fields.items())]

    def string(self, r, field):
        return self.strings[r.pid].get(getattr(r, field))

    def logs(self):
        return [r.text for r in self.records if r.type == R.LOG]

    def lane_kind(self, r):
        return self.lanes[r.lane]['kind']


def run(source, *args, env=None, timeout=60, files=None):
    """Runs `source` as prog.py (beside `files`, name -> text) in a fresh folder under the
    tracer, with the run folder elsewhere, as poolscope's host does; returns a Run."""
    work = tempfile.mkdtemp(prefix='pstest-')
    folder = os.path.join(work, 'run')
    project = os.path.join(work, 'project')
    os.mkdir(folder)
    os.mkdir(project)
    for name, text in dict(files or {}, **{'prog.py': source}).items():
        with open(os.path.join(project, name), 'w') as f:
            f.write(textwrap.dedent(text))
    e = dict(os.environ, POOLSCOPE_RUN_DIR=folder, **(env or {}))
    try:
        proc = subprocess.run([sys.executable, LAUNCHER, 'prog.py', *args], cwd=project, env=e, capture_output=True, text=True, timeout=timeout)
        found = {p: R.read_records(p)[0] for p in glob.glob(os.path.join(folder, '*.rec'))}
        return Run(proc, found, sorted(os.listdir(project)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
