// No process of a run outlives it, however the run ends: a normal end, Stop, a time limit, a
// crash of main, a SIGKILL of the CLI itself. Child processes are found in /proc by the marker
// every worker process of a run carries in its argv (the pid of the process that runs it). And
// what a killed worker process recorded before it died is in the trace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURES, ROOT, findings, lineOf, runFile, type Run } from './helpers';

const PROCESSES = resolve(FIXTURES, 'processes');
const fixture = (name: string) => resolve(PROCESSES, name);

/** The live worker processes of runs hosted by process `host`. */
function workerProcesses(host: number): number[] {
  const mark = `--poolscope-of=${host}`;
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(mark)) found.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Asserts that none of `host`'s worker processes is alive 2 s from now (looking every 50 ms, so it passes as soon as they are gone). */
async function assertNoneLeft(host: number): Promise<void> {
  const until = Date.now() + 2000;
  while (workerProcesses(host).length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(workerProcesses(host), [], 'worker processes of the run are alive 2 s after it ended');
}

const spinning = (n: number) => (store: Run['store']) => store.logs.filter((l) => l.text === 'spinning').length >= n;

describe('no process left behind', function () {
  it('a normal end: main returns with its pools open, one of their processes spinning', async () => {
    const run = await runFile(fixture('returns.ts'));
    assert.equal(run.outcome, 'returned', run.error?.message);
    await assertNoneLeft(process.pid);
  });

  it('Stop, while every worker process spins', async () => {
    const run = await runFile(fixture('spin.ts'), { stopWhen: spinning(4) });
    assert.equal(run.outcome, 'stopped', run.error?.message);
    await assertNoneLeft(process.pid);
  });

  it("the run's time limit, while the worker processes spin", async () => {
    let seen = 0;
    const look = setInterval(() => (seen = Math.max(seen, workerProcesses(process.pid).length)), 20);
    const run = await runFile(fixture('spin.ts'), { timeoutMs: 5000 });
    clearInterval(look);
    assert.equal(run.outcome, 'timeout', run.error?.message);
    assert.ok(seen > 0, 'no worker process was seen alive during the run');
    await assertNoneLeft(process.pid);
  });

  it('main throws while every worker process spins', async () => {
    const run = await runFile(fixture('main-crashes.ts'));
    assert.equal(run.outcome, 'threw', run.error?.message);
    await assertNoneLeft(process.pid);
  });

  it('main calls process.exit(1) while every worker process spins', async () => {
    const run = await runFile(fixture('main-exits.ts'));
    assert.equal(run.outcome, 'crashed', run.error?.message);
    await assertNoneLeft(process.pid);
  });

  it('SIGKILL of the CLI itself: each worker process sees its lifeline close and kills itself, even while its task spins', async () => {
    const cli = spawn(process.execPath, [resolve(ROOT, 'dist/cli.mjs'), 'run', fixture('spin.ts')], { cwd: ROOT });
    let stdout = '';
    await new Promise<void>((r) =>
      cli.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.split('│ spinning').length > 4) r();
      }),
    );
    assert.equal(workerProcesses(cli.pid!).length, 4, 'the four worker processes are not running');
    const exited = new Promise((r) => cli.on('exit', r));
    cli.kill('SIGKILL');
    await exited;
    await assertNoneLeft(cli.pid!);
  });
});

describe('a worker process killed mid-task', function () {
  let run: Run;
  before(async () => {
    let killed = false;
    run = await runFile(fixture('killed-mid-task.ts'), {
      onLog: (line) => {
        const pid = /^hanging in (\d+)$/.exec(line.text)?.[1];
        if (pid && !killed) {
          killed = true;
          process.kill(Number(pid), 'SIGKILL');
        }
      },
    });
  });

  it('keeps the tasks it finished and the start of the one it ran; that task is lost where the process died', () => {
    const tasks = run.spans.filter((s) => s.kind === 'task');
    assert.deepEqual(
      tasks.map((t) => `${t.name} ${t.status}`),
      ['quick ok', 'quick ok', 'quick ok', 'hang lost', 'quick ok'],
    );
    const hang = tasks[3];
    assert.ok(hang.end > hang.start, 'the lost task has no length: its start is not its own');
    assert.ok(
      run.lines.some((l) => l.lane === 'Worker 1' && /^hanging in \d+$/.test(l.text)),
      'what the task printed before the kill is gone',
    );
    const [died] = run.store.marks.filter((m) => m.kind === 'worker-died');
    assert.equal(died.signal, 'SIGKILL');
    assert.equal(died.task, hang.taskId);
    assert.equal(died.text, 'killed by SIGKILL');
    assert.ok(Math.abs(died.ts - hang.end) < 1, 'the task does not end where its process died');
  });

  it("the lane shows each process's pid, and where the replacement began, which ran the task queued behind", () => {
    assert.ok(run.lines.some((l) => l.text === 'after the kill: 4'));
    const starts = run.store.marks.filter((m) => m.kind === 'worker-start');
    assert.equal(starts.length, 2);
    const [first, second] = starts;
    assert.ok(first.pid! > 0 && first.pid !== process.pid, 'the first worker start does not carry the pid of a process of its own');
    assert.equal(first.replaces, undefined);
    assert.equal(second.replaces, true);
    assert.notEqual(second.pid, first.pid);
    const hanging = Number(/^hanging in (\d+)$/.exec(run.lines.find((l) => l.text.startsWith('hanging in'))!.text)![1]);
    assert.equal(first.pid, hanging, 'the lane showed another pid than the one that ran the task');
    assert.equal(run.store.laneById(first.lane)?.pid, second.pid, 'the lane shows the pid of its latest process');
    const [respawn] = run.store.marks.filter((m) => m.kind === 'respawn');
    assert.ok(respawn && respawn.ts >= run.store.marks.find((m) => m.kind === 'worker-died')!.ts, 'the replacement is not drawn after the death');
  });

  it('the wait on the lost task is a deadlock at its line, and worker-crashed names the task and the line that submitted it', () => {
    assert.equal(run.outcome, 'deadlock', run.error?.message);
    const file = fixture('killed-mid-task.ts');
    const line = lineOf(readFileSync(file, 'utf8'), 'await hung.get(); // the deadlock');
    const submitted = lineOf(readFileSync(file, 'utf8'), 'const hung = pool.applyAsync(hang);');
    const [deadlock] = findings(run, 'deadlock');
    assert.equal(deadlock?.site?.line, line);
    assert.match(run.store.meta.deadlock?.reason ?? '', /the worker running its task died: killed by SIGKILL/);
    const [crashed] = findings(run, 'worker-crashed');
    assert.ok(crashed, `no worker-crashed finding among ${JSON.stringify(run.findings.map((f) => f.rule))}`);
    assert.ok(
      crashed.related.some((r) => r.site?.line === submitted),
      'worker-crashed does not point at the line that submitted the task',
    );
  });
});
