// A worker for the task queue test: takes tasks until the queue is closed and empty, checks
// each payload against its id, and reports the ids it took.
import { parentPort, workerData } from 'node:worker_threads';
import { TaskQueue } from '../../../src/runtime/taskQueue';

async function consume(): Promise<void> {
  const queue = new TaskQueue(workerData.sab);
  const taken: number[] = [];
  const corrupt: number[] = [];
  // A pending Atomics.waitAsync does not keep a thread alive; this timer does, until the end.
  const keepAlive = setInterval(() => undefined, 60_000);
  parentPort!.postMessage('ready');
  for (;;) {
    const seq = queue.seq;
    const task = queue.take();
    if (task) {
      taken.push(task.taskId);
      const expected = task.taskId % 251;
      if (task.payload.length !== (task.taskId % 40) + 1 || task.payload.some((b) => b !== expected)) corrupt.push(task.taskId);
      continue;
    }
    if (queue.closed) break;
    await queue.waitForWork(seq);
  }
  clearInterval(keepAlive);
  parentPort!.postMessage({ taken, corrupt });
}

void consume();
