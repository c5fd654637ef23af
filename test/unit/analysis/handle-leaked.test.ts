import assert from 'node:assert/strict';
import { RecordStream, MAIN, at } from '../recordStream';
import { blockingCallback } from '../scenarios';
import { findings } from './findings';

const W1 = 2;
const W2 = 3;
const INTERVAL = 'a setInterval timer\n    at leave (/home/dev/demo/tasks.ts:3:3)';

/** Tasks of `leave` on two threads, each leaving what `left` says as its worker ends. */
function leftBehind(...left: string[]) {
  const s = new RecordStream();
  s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0).lane(W2, 'worker', 'Worker 2', 0);
  s.pool(0, 'ThreadPool', { ms: 0, size: 2, site: at(8) });
  const tasks = left.map((text, k) => {
    const lane = k % 2 === 0 ? W1 : W2;
    const { task } = s.submit(0, { ms: 1, api: 'apply', site: at(10, 5), fn: 'leave', fnSite: at(2, 17) });
    s.start(lane, task, 2 + k).end(lane, task, 3 + k);
    return { lane, task, text };
  });
  for (const { lane, task, text } of tasks) s.leftRunning(lane, 8, task, text);
  return { store: s.build({ endMs: 10 }) };
}

describe('handle-leaked', () => {
  it('names what a task left running, where it was made, the task and the line that submitted it', () => {
    const [f, ...more] = findings(leftBehind(INTERVAL), 'handle-leaked');
    assert.equal(more.length, 0);
    assert.equal(f.severity, 'warning');
    assert.equal(
      f.message,
      "task `leave` left a setInterval timer running in Worker 1 after it returned; the pool ended it with the worker, as a Python pool's worker ends once it takes its sentinel, so what it was still to do never happened",
    );
    assert.deepEqual(f.site, at(3, 3));
    assert.deepEqual(f.related, [
      { message: 'the apply() call that submitted the task', site: at(10, 5) },
      { message: 'task function `leave` is defined here', site: at(2, 17) },
    ]);
    assert.equal(f.spans.length, 1);
  });

  it('makes one finding of what tasks made at one place, on several workers', () => {
    const [f, ...more] = findings(leftBehind(INTERVAL, INTERVAL), 'handle-leaked');
    assert.equal(more.length, 0);
    assert.match(f.message, /^tasks of `leave` left 2 timers or threads running \(first: a setInterval timer\) in 2 workers after they returned; the pool ended them/);
    assert.equal(f.spans.length, 2);
  });

  it('falls back to the task function when no stack was caught', () => {
    const [f] = findings(leftBehind('a Worker thread'), 'handle-leaked');
    assert.deepEqual(f.site, at(2, 17));
    assert.match(f.message, /left a Worker thread running/);
  });

  it('stays quiet when nothing was left running', () => {
    assert.deepEqual(findings(blockingCallback(), 'handle-leaked'), []);
  });
});
