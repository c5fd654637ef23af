// docs/SEMANTICS.md rules 12, 16 and 21 on the process kinds, with real child processes: each `it`
// reads one check of fixtures/process-rules.ts and asserts what the trace shows for it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Mark } from '../../src/trace/model';
import { FIXTURES, assertCheck, checkWindow, findings, lineOf, runFile, runFixture, spansOfCheck, type Run } from './helpers';

describe('SEMANTICS 12, 16, 21: process pools', function () {
  let run: Run;
  before(async () => {
    run = await runFixture('process-rules.ts');
  });

  /** The marks of the pools created while check `id` ran, by kind. */
  const marksOf = (id: string, kind?: string): Mark[] => {
    const { begin, end } = checkWindow(run, id);
    const pools = new Set([...run.store.pools.values()].filter((p) => p.created >= begin && p.created <= end && (!kind || p.kind === kind)).map((p) => p.id));
    return run.store.marks.filter((m) => pools.has(m.pool));
  };

  it('the fixture ran every check and main returned', () => {
    assert.equal(run.outcome, 'returned', run.error?.message);
  });

  it('12 Pool: maxtasksperchild replaces a worker after N tasks, a map chunk counts as one, a non-positive value is a ValueError', () => {
    assertCheck(run, '12 Pool');
    const marks = marksOf('12 Pool', 'Pool');
    const starts = marks.filter((m) => m.kind === 'worker-start');
    const replacements = starts.filter((m) => m.replaces);
    assert.ok(replacements.length >= 3, `${replacements.length} replacements for 10 tasks at 2 per process`);
    assert.equal(new Set(starts.map((m) => m.pid)).size, starts.length, 'a replacement reused a pid');
    // Each replacement follows an end the pool asked for, not a death.
    assert.equal(marks.filter((m) => m.kind === 'worker-died').length, 0);
    assert.ok(marks.filter((m) => m.kind === 'worker-exit').length >= replacements.length);
    assert.equal(marks.filter((m) => m.kind === 'respawn').length, 0, 'a planned replacement is not a respawn');
  });

  it('12 ProcessPoolExecutor: maxTasksPerChild likewise; TypeError and ValueError as in Python', () => {
    assertCheck(run, '12 ProcessPoolExecutor');
    const starts = marksOf('12 ProcessPoolExecutor', 'ProcessPoolExecutor').filter((m) => m.kind === 'worker-start');
    assert.deepEqual(
      starts.map((m) => !!m.replaces),
      [false, true, true],
      'one process, then a new one every 2 tasks',
    );
    const lanes = new Set(starts.map((m) => m.lane));
    assert.equal(lanes.size, 1, 'the replacements draw on the lane of the process they replace');
    assert.equal(run.store.laneById([...lanes][0])?.pid, starts.at(-1)?.pid, 'the lane shows the pid of its latest process');
  });

  it("16 Pool callbacks run in the parent, on the Callback lane; a process executor's done callbacks too", () => {
    assertCheck(run, '16');
    const callbacks = spansOfCheck(run, '16', { kind: 'callback' });
    assert.deepEqual(callbacks.map((c) => c.name).sort(), ['doneInParent', 'errorInParent', 'inParent']);
    assert.ok(callbacks.every((c) => run.laneOf(c) === 'Callback'));
    const tasks = spansOfCheck(run, '16', { kind: 'task' });
    assert.ok(tasks.length >= 3 && tasks.every((t) => /^Worker \d+$/.test(run.laneOf(t))));
    for (const t of tasks) assert.notEqual(run.store.laneById(t.lane)?.pid, process.pid, `task ${t.name} ran on a lane of the run's own process`);
  });

  for (const [id, how] of [
    ['21 exit', (m: Mark) => m.exitCode === 3 && m.text === 'called process.exit(3)'],
    ['21 signal', (m: Mark) => m.signal === 'SIGKILL' && m.text === 'killed by SIGKILL'],
    ['21 memory', (m: Mark) => /^ran out of memory \(.*heap out of memory/i.test(m.text ?? '')],
  ] as const) {
    it(`${id}: a worker that dies breaks the ProcessPoolExecutor: every pending and running future fails, later submit() throws`, () => {
      assertCheck(run, id);
      const marks = marksOf(id);
      const died = marks.filter((m) => m.kind === 'worker-died');
      assert.equal(died.length, 1, JSON.stringify(died));
      assert.ok(how(died[0]), `the death is told as ${JSON.stringify(died[0])}`);
      const dying = spansOfCheck(run, id, { kind: 'task', name: 'die' });
      assert.equal(dying.length, 1);
      assert.equal(dying[0].status, 'lost');
      assert.equal(died[0].task, dying[0].taskId);
      const [running] = spansOfCheck(run, id, { kind: 'task', name: 'runUntil' });
      assert.equal(running.status, 'lost', 'the task running on the other worker is not shown ended with the executor');
      assert.match(running.text ?? '', /^the executor broke while it ran/);
      assert.ok(
        spansOfCheck(run, id, { kind: 'task', name: 'pid' }).every((t) => t.status === 'cancelled'),
        'a pending task ran',
      );
      const broken = marks.filter((m) => m.kind === 'broken');
      assert.equal(broken.length, 1);
      assert.equal(broken[0].text, 'A child process terminated abruptly, the process pool is not usable anymore');
      const crashed = findings(run, 'worker-crashed').filter((f) => f.spans.includes(dying[0].index));
      assert.equal(crashed.length, 1, `no worker-crashed finding for the task \`die\` of ${id}`);
    });
  }

  it('21 BrokenProcessPool and BrokenThreadPool both extend BrokenExecutor', () => {
    assertCheck(run, '21 classes');
  });
});

describe('task files in child processes', function () {
  it('a CommonJS TypeScript file requiring a relative module: its tasks run in a process, an error keeps its class and points at its own lines', async () => {
    const dir = resolve(FIXTURES, 'processes', 'commonjs');
    const run = await runFile(resolve(dir, 'task.cts'));
    assert.equal(run.outcome, 'returned', run.error?.message);
    const said = run.lines.filter((l) => l.lane === 'Main').map((l) => l.text);
    assert.deepEqual(said.slice(0, 3), ['work(2) = 20', 'RangeError true', 'RangeError: negative: -1']);
    const frame = (file: string, text: string) => `${resolve(dir, file)}:${lineOf(readFileSync(resolve(dir, file), 'utf8'), text)}:`;
    assert.ok(said[3].includes(frame('helper.cts', 'throw new RangeError')), `the first frame is ${said[3]}`);
    assert.ok(said[4].includes(frame('task.cts', 'return scale(x)')), `the second frame is ${said[4]}`);
    const [task] = run.spans.filter((s) => s.kind === 'task' && s.status === 'error');
    assert.notEqual(run.store.laneById(task.lane)?.pid, process.pid, 'the task did not run in a child process');
  });
});
