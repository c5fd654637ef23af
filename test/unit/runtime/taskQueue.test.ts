// The shared-memory task queue under real contention: several worker threads take while main
// pushes through a small ring (so main also waits for room) and cancels some queued tasks.
// Every task must be taken by exactly one worker, intact, or cancelled, never both.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createTaskQueueBuffer, TaskQueue } from '../../../src/runtime/taskQueue';

const payloadOf = (id: number) => new Uint8Array((id % 40) + 1).fill(id % 251);

describe('task queue', function () {
  this.timeout(60_000);

  it('hands each task to exactly one of three workers, intact, or cancels it, through a ring much smaller than the work', async () => {
    const sab = createTaskQueueBuffer(16 * 1024);
    const queue = new TaskQueue(sab);
    // The consumers are TypeScript: each thread registers the loader this test runs under.
    const consumer = `require('tsx/cjs/api').register(); require(${JSON.stringify(resolve(__dirname, 'taskQueueConsumer.ts'))});`;
    const workers = Array.from({ length: 3 }, () => new Worker(consumer, { eval: true, workerData: { sab } }));
    const reports = workers.map(
      (w) =>
        new Promise<{ taken: number[]; corrupt: number[] }>((res, rej) => {
          w.on('message', (m) => m !== 'ready' && res(m));
          w.once('error', rej);
          w.once('exit', (code) => rej(new Error(`a consumer exited (code ${code}) before reporting`)));
        }),
    );
    // A push into a full ring blocks this thread, so the consumers must be running first.
    await Promise.all(workers.map((w) => new Promise((res, rej) => (w.once('message', res), w.once('error', rej)))));
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
    await Promise.all(workers.map((w) => w.terminate()));
    const taken = results.flatMap((r) => r.taken);
    assert.deepEqual(results.flatMap((r) => r.corrupt), [], 'payloads came out as they went in');
    assert.equal(new Set(taken).size, taken.length, 'a task was taken twice');
    for (const id of taken) assert.ok(!cancelled.has(id), `task ${id} was cancelled and also taken`);
    assert.equal(taken.length + cancelled.size, N, 'every task was either taken or cancelled');
    assert.ok(cancelled.size > 0, 'no cancel ever won: the test did not exercise cancelling');
    assert.ok(results.filter((r) => r.taken.length > 0).length >= 2, 'the work was not shared between workers');
  });
});
