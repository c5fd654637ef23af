// The child processes behind a Pool or ProcessPoolExecutor, as main holds them: per slot, a
// proxy thread (processProxy.ts) that feeds the slot's child from the pool's queue, replaces
// it as the pool wants and records its deaths. Main hears of a death from the proxy; the
// proxy's own end is told only if it was not the one it chose.
import { Rec, WorkerAction } from '../../../trace/records';
import { RingWriter } from '../../record/eventRing';
import { userFrames } from '../../sites/stacks';
import { PoolWorkers, type Slot, type WorkerEvents, type WorkerOptions } from '../poolWorkers';
import { WorkerEnd, WorkerState, type PoolWorkerData, type ProcessSlotOptions, type ProxyCommand, type ThreadExit } from '../workerProtocol';

export class ProcessWorkers extends PoolWorkers {
  protected readonly script = 'process-proxy.mjs';

  constructor(
    opts: WorkerOptions,
    events: WorkerEvents,
    private readonly processes: ProcessSlotOptions,
  ) {
    super(opts, events);
  }

  protected slotData(): Partial<PoolWorkerData> {
    return { process: this.processes };
  }

  /** The proxy kills its child and ends, recording what the child was running as lost for `why`. */
  protected stopper(slot: Slot): () => void {
    return () => slot.port?.postMessage({ t: 'terminate', why: slot.stopped! } satisfies ProxyCommand);
  }

  protected threadEnded(slot: Slot, exit: ThreadExit): void {
    if (slot.state[WorkerState.END] === WorkerEnd.done) return;
    const cause = exit.error ? userFrames(exit.error.stack ?? `${exit.error.name}: ${exit.error.message}`) : `exit code ${exit.code}`;
    const why = `the thread that feeds its process ended unexpectedly (${cause})`;
    if (slot.ring) new RingWriter(slot.ring).write(Rec.WORKER, slot.lane, exit.ts, WorkerAction.died, -1, 0, 0, 0, 0, why);
    this.events.died(slot.lane, 0, why);
  }
}
