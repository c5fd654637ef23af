// A worker for the task queue test: takes tasks until the queue is closed and empty, checks
// each payload against its id, and reports the ids it took.
import { parentPort, workerData } from 'node:worker_threads';
import { TaskQueue, type TaskSink } from '../../../src/runtime/dispatch/taskQueue';

/** Checks each payload while the queue still holds it, as the pool's decoder reads it. */
class Checker implements TaskSink {
  readonly taken: number[] = [];
  readonly corrupt: number[] = [];

  accept(taskId: number, bytes: Buffer, start: number, end: number): void {
    this.taken.push(taskId);
    const expected = taskId % 251;
    let intact = end - start === (taskId % 40) + 1;
    for (let i = start; i < end && intact; i++) intact = bytes[i] === expected;
    if (!intact) this.corrupt.push(taskId);
  }
}

async function consume(): Promise<void> {
  const queue = new TaskQueue(workerData.sab);
  const checker = new Checker();
  // A pending Atomics.waitAsync does not keep a thread alive; this timer does, until the end.
  const keepAlive = setInterval(() => undefined, 60_000);
  parentPort!.postMessage('ready');
  for (;;) {
    const seq = queue.seq;
    if (queue.take(checker)) continue;
    if (queue.closed) break;
    await queue.waitForWork(seq);
  }
  clearInterval(keepAlive);
  parentPort!.postMessage({ taken: checker.taken, corrupt: checker.corrupt });
}

void consume();
