// Task files that export the CommonJS way (module.exports, exports.fn, `export *` from a
// CommonJS module): their tasks are found by name in worker threads and in worker processes.
import assert from 'node:assert/strict';
import { runFixture, type Run } from './helpers';

const said = (run: Run) => run.lines.filter((l) => l.stream === 'stdout').map((l) => `${l.lane}: ${l.text}`);

/** The task spans of each pool, with the pids of the lanes they ran on. */
function tasksByPool(run: Run) {
  return [...run.store.pools.values()].map((pool) => {
    const tasks = run.spans.filter((s) => s.kind === 'task' && run.store.jobs.get(s.job)?.pool === pool.id);
    return { kind: pool.kind, names: tasks.map((t) => t.name), pids: new Set(tasks.map((t) => run.store.laneById(t.lane)?.pid)) };
  });
}

function assertThreadThenProcess(run: Run, names: string[]): void {
  const [threads, processes] = tasksByPool(run);
  assert.deepEqual({ kind: threads.kind, names: threads.names }, { kind: 'ThreadPool', names });
  assert.deepEqual([...threads.pids], [process.pid], 'the ThreadPool ran its tasks in this process');
  assert.deepEqual({ kind: processes.kind, names: processes.names }, { kind: 'Pool', names });
  assert.equal(processes.pids.size, 1);
  assert.ok(![...processes.pids].some((pid) => pid === undefined || pid === process.pid), 'the Pool ran its tasks in a child process');
}

describe('CommonJS task files, in threads and processes', function () {
  it('a CommonJS .js file: module.exports names its tasks and main, one of them required from a CommonJS module', async () => {
    const run = await runFixture('commonjs/module-exports.js');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assert.deepEqual(said(run), ['Main: ThreadPool: work(2) = 7, triple(3) = 9', 'Main: Pool: work(2) = 7, triple(3) = 9']);
    assertThreadThenProcess(run, ['work', 'triple']);
  });

  it('an ES module re-exporting a CommonJS module with `export *`: its functions run as tasks under their own names, an error keeps its class', async () => {
    const run = await runFixture('commonjs/reexports.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    assert.deepEqual(said(run), [
      'Main: ThreadPool: triple(2) = 6',
      'Callback: callback got: helper greets ThreadPool',
      'Main: ThreadPool: TypeError true: not a number: x',
      'Main: Pool: triple(2) = 6',
      'Callback: callback got: helper greets Pool',
      'Main: Pool: TypeError true: not a number: x',
    ]);
    assertThreadThenProcess(run, ['triple', 'greet', 'triple']);
    // Bundling renames functions of a CommonJS module that the file imports by the same name.
    const callbacks = run.spans.filter((s) => s.kind === 'callback');
    assert.deepEqual(
      callbacks.map((c) => `${run.laneOf(c)}: ${c.name}`),
      ['Callback: report', 'Callback: report'],
    );
  });
});
