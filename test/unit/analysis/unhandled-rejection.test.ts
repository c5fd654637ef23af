import assert from 'node:assert/strict';
import { RecordStream, MAIN, at } from '../recordStream';
import { REJECT, W1, unhandledRejections } from '../workerScenarios';
import { blockingCallback } from '../scenarios';
import { findings } from './findings';
import { allSpans } from '../../storeSpans';

/** One ThreadPool task per stack, each leaving a rejection with that stack. */
function rejections(...stacks: string[]) {
  const s = new RecordStream();
  s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0);
  s.pool(0, 'ThreadPool', { ms: 0, size: 1, site: at(4) });
  stacks.forEach((stack, k) => {
    const { task } = s.submit(0, { ms: 1, api: 'submit', site: at(20 + k, 3), fn: 't', fnSite: at(2, 17) });
    s.start(W1, task, 2 + k)
      .unhandled(W1, 2.5 + k, task, stack)
      .end(W1, task, 3 + k);
  });
  return { store: s.build({ endMs: 10 }) };
}

describe('unhandled-rejection', () => {
  it('reports the rejections of one place once, there (from the stack), with the line that submitted the tasks', () => {
    const run = unhandledRejections();
    const [f, ...more] = findings(run, 'unhandled-rejection');
    assert.equal(more.length, 0);
    assert.equal(f.severity, 'warning');
    assert.equal(f.message, '2 promise rejections in tasks of `t` went unhandled (first: Error: lost); no get(), callback or future saw these errors');
    assert.deepEqual(f.site, REJECT.rejectedAt);
    assert.deepEqual(f.related, [
      { message: 'the applyAsync() call that submitted 2 of them', site: REJECT.submit },
      { message: 'task function `t` is defined here', site: REJECT.fn },
    ]);
    assert.deepEqual(
      f.spans,
      run.tasks.map((id) => allSpans(run.store).find((s) => s.taskId === id)!.index),
    );
  });

  it('falls back to the task function when the stack names no file of the user, and words one rejection as one', () => {
    const [f] = findings(rejections('Error: gone\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'), 'unhandled-rejection');
    assert.equal(f.message, 'a promise rejected in task `t` and nothing handled it: Error: gone; no get(), callback or future saw this error');
    assert.deepEqual(f.site, at(2, 17));
    assert.deepEqual(f.related, [{ message: 'the submit() call that submitted the task', site: at(20, 3) }]);
  });

  it('makes one finding per place the rejections were made', () => {
    const all = findings(rejections('Error: a\n    at t (/home/dev/demo/tasks.ts:3:9)', 'Error: b\n    at t (/home/dev/demo/tasks.ts:5:9)'), 'unhandled-rejection');
    assert.deepEqual(
      all.map((f) => f.site),
      [at(3, 9), at(5, 9)],
    );
  });

  it('stays quiet when every rejection was handled', () => {
    assert.deepEqual(findings(blockingCallback(), 'unhandled-rejection'), []);
  });
});
