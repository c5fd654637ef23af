// Looking where a thread runs pauses it through the inspector: however soon the look gives up
// (before the thread is reached, or with the pause already on its way), the thread must go on
// running, or the run could never end it.
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { whereThreadRuns } from '../../../src/runtime/host/threadWhere';

const HANG_MS = 30_000;

describe('where a thread runs', () => {
  it('leaves the thread running after every look, whether it gave up or not', async () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    // A thread spinning in its own code, counting as it goes: a count that moves says it runs.
    const worker = new Worker(`const { workerData: c } = require('node:worker_threads'); for (;;) Atomics.add(c, 0, 1);`, { eval: true, workerData: counter });
    try {
      for (const withinMs of [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 200]) {
        assert.equal(await whereThreadRuns(worker.threadId, '/no/such/bundle.mjs', withinMs), undefined, 'no frame of a bundle that is not there');
        const seen = Atomics.load(counter, 0);
        // The gate: the count moves on. A thread left paused never moves again: after a hang's
        // worth of time, the test says so rather than wait for ever.
        const hung = Date.now() + HANG_MS;
        while (Atomics.load(counter, 0) === seen) {
          assert.ok(Date.now() < hung, `the thread was left paused after a look that gave up after ${withinMs} ms`);
          await new Promise((r) => setImmediate(r));
        }
      }
    } finally {
      await worker.terminate();
    }
  });
});
