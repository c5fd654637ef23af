// The worker threads behind a ThreadPool or ThreadPoolExecutor. A thread that ends leaves in
// its state cells how (done, or its initializer failed) and which task it was running; one that
// said nothing died, and main records that in the dead thread's ring, after all it wrote: the
// task lost, the exit code, and why (the error, running out of memory, process.exit()). A dead
// thread is not replaced: CPython's ThreadPool does not replace its threads either
// (docs/SEMANTICS.md A.11), and an executor breaks.
import { CPU_UNKNOWN, Rec, TaskStatus, WorkerAction } from '../../../trace/records';
import { recorder } from '../../record/recorder';
import { RingWriter } from '../../record/eventRing';
import { userFrames } from '../../sites/stacks';
import { PoolWorkers, type Slot } from '../poolWorkers';
import { WorkerEnd, WorkerState, type PoolWorkerData, type ThreadExit } from '../workerProtocol';

export class ThreadWorkers extends PoolWorkers {
  protected readonly script = 'pool-worker.mjs';

  protected slotData(): Partial<PoolWorkerData> {
    return {};
  }

  protected stopper(_slot: Slot, terminateThread: () => void): () => void {
    return terminateThread;
  }

  protected threadEnded(slot: Slot, exit: ThreadExit): void {
    const end = slot.state[WorkerState.END];
    // A thread that finished its queue recorded its own end.
    if (end === WorkerEnd.done) return;
    const { lane } = slot;
    const task = slot.state[WorkerState.TASK];
    // The thread is gone: its ring has no other writer now.
    const ring = slot.ring && new RingWriter(slot.ring);
    const tasks = recorder().tasks;
    // What the thread said of its end comes first: it may have ended so before it was asked to.
    if (end === WorkerEnd.initFailed) {
      ring?.write(Rec.WORKER, lane, exit.ts, WorkerAction.died, exit.code, 0, 0, 0, 0, slot.initError);
      return;
    }
    if (slot.stopped !== undefined) {
      if (task !== 0 && tasks) ring?.write(Rec.TASK_END, lane, exit.ts, task, TaskStatus.lost, 0, 0, CPU_UNKNOWN, 0, slot.stopped);
      ring?.write(Rec.WORKER, lane, exit.ts, WorkerAction.exit);
      return;
    }
    const why = describeExit(exit, slot.state[WorkerState.UNHANDLED] === 1);
    if (task !== 0 && tasks) ring?.write(Rec.TASK_END, lane, exit.ts, task, TaskStatus.lost, 0, 0, CPU_UNKNOWN, 0, why);
    ring?.write(Rec.WORKER, lane, exit.ts, WorkerAction.died, exit.code, 0, task, 0, 0, why);
    this.events.died(lane, task, why);
  }
}

/** Why a thread that said nothing ended, for people. */
function describeExit(exit: ThreadExit, unhandled: boolean): string {
  const e = exit.error;
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') return `ran out of memory (${e.code}: ${e.message})`;
  if (e) return `${unhandled ? 'an unhandled promise rejection: ' : 'threw '}${userFrames(e.stack ?? `${e.name}: ${e.message}`)}`;
  return `called process.exit(${exit.code})`;
}
