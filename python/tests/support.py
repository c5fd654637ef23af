"""Running a program under the tracer the way poolscope's host does, and reading what it wrote."""
import collections
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from poolscope_tracer import records as R  # noqa: E402
from poolscope_tracer.launch import RUN_DIR  # noqa: E402

LAUNCHER = os.path.join(os.path.dirname(HERE), 'poolscope_tracer', '__main__.py')
START_METHODS = ('fork', 'spawn', 'forkserver')
#: A program of the CLI's acceptance set that terminates a ThreadPool with tasks queued.
TERMINATE_THREADS = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'test', 'python', 'programs', 'thread_terminate_drops.py')

Record = collections.namedtuple('Record', 'type lane ts a b c d e f text pid')


class Run:
    """A traced run: its exit status, what reached the real stdout/stderr, and every process's
    records (strings resolved by `string`, lanes keyed by (pid, key) as the host keys them)."""

    def __init__(self, returncode, stdout, stderr, folder, project_files):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        #: what the program's folder holds after the run
        self.project_files = project_files
        self.records, self.lanes, self.strings = read_folder(folder)

    def of(self, type_, **fields):
        return [r for r in self.records if r.type == type_ and all(getattr(r, k) == v for k, v in fields.items())]

    def readies(self, **fields):
        """The jobs that became ready, as JOB_READY records (a=job, b=status), whichever record
        said it: a thread executor's task end says it for its future (TASK_END c=job)."""
        said = self.of(R.JOB_READY) + [r._replace(type=R.JOB_READY, a=r.c, c=1, d=0, e=0, f=0, text=None) for r in self.of(R.TASK_END) if r.c > 0]
        return sorted((r for r in said if all(getattr(r, k) == v for k, v in fields.items())), key=lambda r: r.ts)

    def string(self, r, field):
        return self.strings[r.pid].get(getattr(r, field))

    def line_of(self, r, field):
        """The line number of a site string."""
        return int(self.string(r, field).rsplit(':', 2)[1])

    def logs(self):
        return [r.text for r in self.records if r.type == R.LOG]

    def lane_kind(self, r):
        return self.lanes[r.lane]['kind']

    def pids(self):
        return {r.pid for r in self.records}


def read_folder(folder):
    records = []
    lanes = {}
    strings = {}
    for path in glob.glob(os.path.join(folder, '*.rec')):
        pid = int(os.path.basename(path)[1:].split('.')[0].split('-')[0])
        strs = strings.setdefault(pid, {})
        local = {}
        for t in R.read_records(path)[0]:
            type_, lane, ts, a, b, c, d, e, f, text = t
            if type_ == R.STR:
                strs[a] = text
                continue
            if type_ == R.LANE:
                local[a] = (d, e)
                # As the host does: a lane declared again takes its new role (a process that
                # learned it is a pool's worker), never back to none.
                if (d, e) not in lanes or c >= 0:
                    lanes[(d, e)] = {'kind': b, 'pool': c, 'name': text}
            records.append(Record(type_, local.get(lane), ts, a, b, c, d, e, f, text, pid))
    records.sort(key=lambda r: r.ts)
    return records, lanes, strings


def run(source, *args, files=None, until=None, timeout=60):
    """Runs `source` as prog.py (beside `files`, name -> text) in a fresh folder under the tracer,
    with the run folder elsewhere, as poolscope's host does; returns a Run.

    until: a test on the records so far; once it holds, the program's whole process group is
    killed (as the host ends a deadlocked run). Without it the program must end by itself.
    """
    work = tempfile.mkdtemp(prefix='pstest-')
    folder = os.path.join(work, 'run')
    project = os.path.join(work, 'project')
    os.mkdir(folder)
    os.mkdir(project)
    for name, text in dict(files or {}, **{'prog.py': source}).items():
        with open(os.path.join(project, name), 'w') as f:
            f.write(textwrap.dedent(text))
    env = dict(os.environ, **{RUN_DIR: folder})
    try:
        with tempfile.TemporaryFile('w+') as out, tempfile.TemporaryFile('w+') as err:
            proc = subprocess.Popen([sys.executable, LAUNCHER, 'prog.py', *args], cwd=project, env=env, stdout=out, stderr=err, text=True, start_new_session=True)
            try:
                deadline = time.monotonic() + timeout
                while proc.poll() is None:
                    if until is not None and until(read_folder(folder)[0]):
                        break
                    if time.monotonic() > deadline:
                        raise AssertionError('the program did not end within %d s' % timeout)
                    time.sleep(0.02)
            finally:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            out.seek(0)
            err.seek(0)
            return Run(proc.returncode, out.read(), err.read(), folder, sorted(os.listdir(project)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: Source for a test program: a gate a task passes only once the main thread waits (in
#: threading's wait()), so that main's get() or result() surely finds its result not there yet
#: and waits (one that finds it there draws no wait).
WHEN_MAIN_WAITS = '''
def when_main_waits():
    main = threading.main_thread().ident
    while True:
        f = sys._current_frames().get(main)
        while f is not None:
            if f.f_code.co_name == "wait" and f.f_globals.get("__name__") == "threading":
                return
            f = f.f_back
        time.sleep(0.001)
'''


def line_in(source, text):
    """The number of the first line of `source` that holds `text`."""
    return next(i for i, l in enumerate(source.split('\n'), 1) if text in l)


def has(type_):
    """An `until` test: a record of this type was written."""
    return lambda records: any(r.type == type_ for r in records)
