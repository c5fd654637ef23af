// The shared-memory task queue with real threads: a lone task always wakes a sleeping worker;
// and under contention, with main pushing through a small ring (so it also waits for room) and
// cancelling some queued tasks, every task is taken by exactly one worker, intact, or cancelled.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createTaskQueueBuffer, TaskQueue } from '../../../src/runtime/dispatch/taskQueue';

const payloadOf = (id: number) => new Uint8Array((id % 40) + 1).fill(id % 251);

/** Consumer threads of the running test, stopped after it however it ends. */
const running: Worker[] = [];

/** Starts `n` consumer threads (taskQueueConsumer.ts) on the queue and resolves once they run. */
async function startConsumers(sab: SharedArrayBuffer, n: number) {
  // The consumers are TypeScript: each thread registers the loader this test runs under.
  const consumer = `require('tsx/cjs/api').register(); require(${JSON.stringify(resolve(__dirname, 'taskQueueConsumer.ts'))});`;
  const workers = Array.from({ length: n }, () => new Worker(consumer, { eval: true, workerData: { sab } }));
  running.push(...workers);
  const reports = workers.map(
    (w) =>
      new Promise<{ taken: number[]; corrupt: number[] }>((res, rej) => {
        w.on('message', (m) => m !== 'ready' && res(m));
        w.once('error', rej);
        w.once('exit', (code) => rej(new Error(`a consumer exited (code ${code}) before reporting`)));
      }),
  );
  // A test that fails before reading the reports stops the threads: that is no further failure.
  for (const r of reports) r.catch(() => undefined);
  await Promise.all(workers.map((w) => new Promise((res, rej) => (w.once('message', res), w.once('error', rej)))));
  return reports;
}

describe('task queue', function () {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((w) => w.terminate()));
  });

  it("wakes a sleeping worker for every lone task, however the push and the worker's last look interleave", async () => {
    const sab = createTaskQueueBuffer(16 * 1024);
    const queue = new TaskQueue(sab);
    // One worker, so none is asleep already when a task comes: the push must wake that one.
    const reports = await startConsumers(sab, 1);
    // One task at a time, each pushed the moment the last was taken (while the worker looks at
    // the queue once more and goes to sleep), after a few µs (its short blocking wait), or after
    // 3 ms (asleep on its event loop). A lost wake leaves the task untaken until the next push,
    // which here never comes.
    const N = 5000;
    for (let id = 1; id <= N; id++) {
      if (id % 50 === 0) await new Promise((r) => setTimeout(r, 3));
      else if (id % 5 === 0) for (const until = performance.now() + 0.02; performance.now() < until;);
      const pos = queue.push(id, payloadOf(id));
      // A lost wake is never made good, so this only tells it from a slow machine.
      const deadline = performance.now() + 30_000;
      for (let spins = 0; !queue.consumed(pos); spins++) {
        assert.ok(performance.now() < deadline, `task ${id} was never taken: the worker was not woken for it`);
        if (spins > 1000) await new Promise((r) => setImmediate(r));
      }
    }
    queue.close();
    const results = await Promise.all(reports);
    assert.equal(results.flatMap((r) => r.taken).length, N, 'every task was taken');
  });

  it('hands each task to exactly one of three workers, intact, or cancels it, through a ring much smaller than the work', async () => {
    const sab = createTaskQueueBuffer(16 * 1024);
    const queue = new TaskQueue(sab);
    // A push into a full ring blocks this thread, so the consumers must be running first.
    const reports = await startConsumers(sab, 3);
    const N = 30_000;
    const cancelled = new Set<number>();
    const positions: number[] = [];
    for (let id = 1; id <= N; id++) {
      positions[id] = queue.push(id, payloadOf(id));
      // Try to cancel a task pushed a little earlier: sometimes a worker got it first.
      if (id % 7 === 0 && queue.cancel(positions[id - 3], id - 3)) cancelled.add(id - 3);
      // Let the workers start now and then, so both the busy and the idle paths run.
      if (id % 5000 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    queue.close();
    const results = await Promise.all(reports);
    const taken = results.flatMap((r) => r.taken);
    assert.deepEqual(
      results.flatMap((r) => r.corrupt),
      [],
      'payloads came out as they went in',
    );
    assert.equal(new Set(taken).size, taken.length, 'a task was taken twice');
    for (const id of taken) assert.ok(!cancelled.has(id), `task ${id} was cancelled and also taken`);
    assert.equal(taken.length + cancelled.size, N, 'every task was either taken or cancelled');
    assert.ok(cancelled.size > 0, 'no cancel ever won: the test did not exercise cancelling');
    assert.ok(results.filter((r) => r.taken.length > 0).length >= 2, 'the work was not shared between workers');
  });
});
