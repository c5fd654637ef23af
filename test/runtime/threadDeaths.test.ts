// Worker threads that die, for the thread kinds (fixtures/thread-deaths.ts, one way per run): the
// dead thread is noticed, the task it ran ends lost on its lane with how it died, the wait on it
// is a deadlock at its line; an unhandled rejection is recorded against its task; an executor
// breaks; and a thread whose tasks left something running still ends when the pool is joined.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Mark } from '../../src/trace/model';
import { FIXTURES, findings, lineOf, runFixture, type Run } from './helpers';

const FILE = resolve(FIXTURES, 'thread-deaths.ts');
const runs = new Map<string, Promise<Run>>();
const death = (how: string) => {
  let run = runs.get(how);
  if (!run) runs.set(how, (run = runFixture('thread-deaths.ts', { env: { ...process.env, POOLSCOPE_DEATH: how } })));
  return run;
};
const died = (run: Run): Mark[] => run.store.marks.filter((m) => m.kind === 'worker-died');

describe('worker threads that die', function () {
  for (const [how, says] of [
    ['exit', (m: Mark) => m.exitCode === 3 && m.text === 'called process.exit(3)'],
    [
      'reject-await',
      (m: Mark) => m.exitCode === 1 && /^an unhandled promise rejection: Error: nobody handles me\n\s+at rejectAndAwait \(.*thread-deaths\.ts:\d+:\d+\)/.test(m.text ?? ''),
    ],
    ['memory', (m: Mark) => /^ran out of memory \(.*out of memory\)$/.test(m.text ?? '')],
  ] as const) {
    it(`${how}: the task ends lost where its thread died, the death says how, the ThreadPool has no thread left, and the wait on the task is a deadlock at its line`, async () => {
      const run = await death(how);
      assert.equal(run.outcome, 'deadlock', run.error?.message);
      const [task, ...others] = run.spans.filter((s) => s.kind === 'task');
      assert.equal(others.length, 0);
      assert.equal(task.status, 'lost');
      const [mark, ...more] = died(run);
      assert.equal(more.length, 0, 'the thread was replaced and died again');
      assert.ok(says(mark), `the death is told as ${JSON.stringify(mark)}`);
      assert.equal(mark.task, task.taskId);
      assert.equal(mark.lane, task.lane, 'the death is not on the lane of the task');
      assert.equal(mark.pid, undefined);
      assert.equal(run.store.marks.filter((m) => m.kind === 'worker-start').length, 1, 'a ThreadPool replaced its thread');
      const line = lineOf(readFileSync(FILE, 'utf8'), `// the deadlock: ${how}`);
      const [deadlock] = findings(run, 'deadlock');
      assert.equal(deadlock?.site?.line, line, 'the deadlock is not at the wait on the lost task');
      assert.ok(
        findings(run, 'worker-crashed').some((f) => f.spans.includes(task.index)),
        'no worker-crashed finding on the task',
      );
    });
  }

  it('reject-await: the unhandled rejection is recorded against its task, with its stack', async () => {
    const run = await death('reject-await');
    const [task] = run.spans.filter((s) => s.kind === 'task');
    const [unhandled] = run.store.marks.filter((m) => m.kind === 'unhandled');
    assert.equal(unhandled?.task, task.taskId);
    assert.match(unhandled.text ?? '', /^Error: nobody handles me\n\s+at rejectAndAwait/);
    assert.ok(findings(run, 'unhandled-rejection').length === 1);
  });

  for (const [how, says] of [
    ['reject-return', (m: Mark) => /^an unhandled promise rejection: Error: lost\n/.test(m.text ?? '')],
    ['timer', (m: Mark) => /^threw Error: timer threw\n\s+at Timeout\._onTimeout \(.*thread-deaths\.ts:\d+:\d+\)/.test(m.text ?? '')],
  ] as const) {
    it(`${how}: the task returns, then its thread dies between tasks; the death is seen and join() returns`, async () => {
      const run = await death(how);
      assert.equal(run.outcome, 'returned', run.error?.message);
      assert.deepEqual(
        run.lines.filter((l) => l.lane === 'Main').map((l) => l.text),
        [`returned ${how === 'timer' ? 3 : 1}`, 'joined'],
      );
      const [task] = run.spans.filter((s) => s.kind === 'task');
      assert.equal(task.status, 'ok');
      const [mark, ...more] = died(run);
      assert.equal(more.length, 0);
      assert.ok(says(mark), `the death is told as ${JSON.stringify(mark)}`);
      assert.equal(mark.task, undefined, 'the death is charged to the task that had returned');
      assert.ok(mark.ts >= task.end);
      const crashed = findings(run, 'worker-crashed').map((f) => f.message);
      assert.equal(crashed.length, 1);
      assert.match(crashed[0], /; the ThreadPool broke: no task runs on it from then on and no callback fires for those; none was pending, so close\(\)\+join\(\) returns$/);
      if (how === 'reject-return') {
        const [unhandled] = run.store.marks.filter((m) => m.kind === 'unhandled');
        assert.equal(unhandled?.task, task.taskId, 'the rejection is not recorded against the task it came from');
        const [finding] = findings(run, 'unhandled-rejection');
        assert.ok(finding, 'no unhandled-rejection finding');
        assert.equal(finding.site?.line, lineOf(readFileSync(FILE, 'utf8'), "void Promise.reject(new Error('lost'));"));
      }
    });
  }

  it('executor: a ThreadPoolExecutor whose thread dies breaks: the running and queued futures fail with BrokenThreadPool, later submit() throws', async () => {
    const run = await death('executor');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assert.ok(run.lines.some((l) => l.text === 'shut down'));
    const [mark] = died(run);
    assert.equal(mark?.exitCode, 3);
    const [pool] = run.store.pools.values();
    assert.equal(pool.broken?.cause, 'A worker thread terminated abruptly, the thread pool is not usable anymore');
    assert.deepEqual(
      run.spans
        .filter((s) => s.kind === 'task')
        .map((t) => `${t.name} ${t.status}`)
        .sort(),
      ['bye lost', 'quick cancelled'],
    );
  });

  it("handles: a task that leaves a setInterval or a Worker running does not keep join() waiting; the thread's end says what it left; handle-leaked names the task, where the handle was made and the line that submitted it", async () => {
    const run = await death('handles');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assert.deepEqual(
      run.lines.filter((l) => l.lane === 'Main').map((l) => l.text),
      ['returned 4', 'joined', 'returned 5', 'joined'],
    );
    const exits = run.store.marks.filter((m) => m.kind === 'worker-exit');
    assert.equal(exits.length, 2);
    assert.equal(exits[0].text, 'ended with its queue although a task left a Timeout running');
    assert.equal(died(run).length, 0);
    const source = readFileSync(FILE, 'utf8');
    const leaked = findings(run, 'handle-leaked');
    assert.deepEqual(
      leaked.map((f) => [f.message, f.site?.line, f.related.find((r) => r.message.endsWith('submitted the task'))?.site?.line]),
      [
        [
          "task `leaveInterval` left a setInterval timer running in Worker 1 after it returned; the pool ended it with the worker, as a Python pool's worker ends once it takes its sentinel, so what it was still to do never happened",
          lineOf(source, 'setInterval(() => undefined, 1000);'),
          lineOf(source, '// the handles: apply'),
        ],
        [
          "task `leaveThread` left a Worker thread running in Worker 2 after it returned; the pool ended it with the worker, as a Python pool's worker ends once it takes its sentinel, so what it was still to do never happened",
          lineOf(source, "new Worker('setInterval"),
          lineOf(source, '// the handles: apply'),
        ],
      ],
    );
    const tasks = run.spans.filter((s) => s.kind === 'task');
    assert.deepEqual(
      leaked.map((f) => f.spans),
      tasks.map((t) => [t.index]),
    );
    const marks = run.store.marks.filter((m) => m.kind === 'left-running');
    assert.deepEqual(
      marks.map((m) => [m.task, m.lane]),
      tasks.map((t) => [t.taskId, t.lane]),
      'the marks are not on the lanes of the tasks that left them',
    );
  });
});
