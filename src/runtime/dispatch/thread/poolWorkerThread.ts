// A pool worker thread: runs the initializer, then pulls tasks from the pool's shared queue
// until the queue closes (the running is TaskRunner's). What it leaves in its state cells
// tells main, once the thread is gone, how it ended and which task it took with it.
import { parentPort, workerData } from 'node:worker_threads';
import { Rec, WorkerAction } from '../../../trace/records';
import { exposeApi } from '../../api/apiGlobal';
import { recorder } from '../../record/recorder';
import { TaskQueue } from '../taskQueue';
import { setupThread } from '../../record/threadSetup';
import { TaskRunner } from '../taskRunner';
import { lingeringHandles, recordLeftRunning, watchHandles } from '../lingering';
import { WorkerEnd, WorkerState, type PoolWorkerData, type WorkerMessage } from '../workerProtocol';

const data = workerData as PoolWorkerData;
setupThread({ ring: data.ring, lane: data.lane, laneName: data.laneName, traceTasks: data.traceTasks });
exposeApi();
const rec = recorder();
const queue = new TaskQueue(data.queue);
const port = data.port ?? parentPort!;
const state = new Int32Array(data.state);
const post = (msg: WorkerMessage) => port.postMessage(msg);

const runner = new TaskRunner({
  lane: data.lane,
  poolId: data.poolId,
  initializer: data.initializer,
  initargs: data.initargs,
  send: (items) => post({ t: 'results', items }),
  running: (taskId) => {
    state[WorkerState.TASK] = taskId;
  },
});
runner.watchDeath((unhandled) => {
  if (unhandled) state[WorkerState.UNHANDLED] = 1;
});
const handles = watchHandles(() => runner.lastTask);

async function loop(): Promise<void> {
  runner.resume();
  const task = runner.task;
  for (;;) {
    const seq = queue.seq;
    if (!queue.take(task)) {
      runner.flush();
      if (queue.closed) return;
      await queue.waitForWork(seq);
      runner.resume();
      continue;
    }
    const pending = runner.runTaken();
    if (pending) await pending;
  }
}

// A pending Atomics.waitAsync does not keep a thread alive; this listener does, until the
// queue closes and the worker may end.
const keepAlive = () => undefined;
port.on('message', keepAlive);
rec.rec(Rec.WORKER, data.lane, WorkerAction.start, process.pid);
const initError = await runner.initialize();
if (initError !== undefined) {
  // Said before it is marked: a thread that terminate() ends between the two is then one the
  // pool ended (its error already on its way), never a death with no cause to tell.
  post({ t: 'init-failed', error: initError });
  state[WorkerState.END] = WorkerEnd.initFailed;
} else {
  await loop();
  // One turn of the event loop first: what the last task left due (a rejection nobody handled,
  // a timer whose time has come) happens now, as it would have while waiting for more work, so
  // the worker ends the same way however soon after its last task the queue closed.
  await new Promise((resolve) => setTimeout(resolve, 0));
  port.off('message', keepAlive);
  // Python's worker ends once it took its sentinel, whatever its tasks left running: a timer
  // or a thread a task started would keep this one alive, and join() waiting on it.
  recordLeftRunning(data.lane, handles);
  const left = lingeringHandles();
  rec.rec(Rec.WORKER, data.lane, WorkerAction.exit, 0, 0, 0, 0, 0, left && `ended with its queue although a task left ${left} running`);
  state[WorkerState.END] = WorkerEnd.done;
  process.exit(0);
}
port.off('message', keepAlive);
