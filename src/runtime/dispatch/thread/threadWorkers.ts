// The threads behind one pool: a shared task queue and one worker thread per slot. A slot
// keeps its lane when its thread is replaced, so a respawned worker draws on the same row.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { PoolAction, Rec, WorkerAction } from '../../../trace/records';
import { spawnThread } from '../../host/spawnThread';
import { encodingError, ValueError } from '../../api/errors';
import { recorder } from '../../record/recorder';
import { hostLink, newWorkerLane, type WorkerLane } from '../../main/runContext';
import { createTaskQueueBuffer, TaskQueue } from '../taskQueue';
import type { FnRef } from '../taskRegistry';
import { MAIN_LANE } from '../../record/lanes';
import { encodeTask } from '../taskCodec';
import type { PoolWorkerData, WorkerMessage } from '../workerProtocol';

/** Python's pool maintenance loop looks for dead workers every 0.1 s; respawns are paced the same. */
const RESPAWN_DELAY_MS = 100;

export interface WorkerEvents {
  results(items: unknown[]): void;
  initFailed(lane: number, error: string): void;
}

interface Slot extends WorkerLane {
  /** main's end of the channel the slot's current thread reports on */
  port?: MessagePort;
  stop?: () => void;
  exited: Promise<void>;
}

export interface WorkerOptions {
  poolId: number;
  initializer?: FnRef;
  initargs: unknown[];
  traceTasks: boolean;
  /** Replace a worker whose initializer failed (Pool/ThreadPool do; executors break instead). */
  respawnFailedInit: boolean;
}

export class ThreadWorkers {
  private readonly queueBuffer = createTaskQueueBuffer();
  readonly queue = new TaskQueue(this.queueBuffer);
  private readonly slots: Slot[] = [];
  private outstanding = 0;
  private stopping = false;

  constructor(
    private readonly opts: WorkerOptions,
    private readonly events: WorkerEvents,
  ) {}

  get size(): number {
    return this.slots.length;
  }

  addWorker(): void {
    const slot: Slot = { ...newWorkerLane(this.opts.poolId), exited: Promise.resolve() };
    this.slots.push(slot);
    this.start(slot);
  }

  private start(slot: Slot): void {
    const { port1, port2 } = new MessageChannel();
    const data: PoolWorkerData = {
      port: port2,
      queue: this.queueBuffer,
      ring: slot.ring,
      lane: slot.lane,
      laneName: slot.name,
      traceTasks: this.opts.traceTasks,
      poolId: this.opts.poolId,
      initializer: this.opts.initializer,
      initargs: this.opts.initargs,
    };
    slot.port = port1;
    port1.on('message', (m: WorkerMessage) => {
      if (m.t === 'results') this.events.results(m.items);
      else this.onInitFailed(slot, m.error);
    });
    if (this.outstanding === 0) port1.unref();
    // The channel closes when the thread ends, however it ends; the port is what keeps main
    // waiting for that, so main never needs a message from the host to learn of it.
    slot.exited = new Promise((resolve) => {
      port1.once('close', () => {
        recorder().rec(Rec.WORKER, slot.lane, WorkerAction.exit);
        if (slot.port === port1) slot.port = undefined;
        resolve();
      });
    });
    const host = hostLink();
    if (host) {
      host.spawn(slot.lane, data);
      slot.stop = () => host.terminate(slot.lane);
      return;
    }
    const worker = spawnThread('pool-worker.mjs', data, [port2]);
    worker.unref();
    worker.on('error', (err) => recorder().rec(Rec.LOG, slot.lane, 2, 0, 0, 0, 0, 0, `Worker crashed: ${err.stack ?? err}`));
    slot.stop = () => void worker.terminate();
  }

  private onInitFailed(slot: Slot, error: string): void {
    this.events.initFailed(slot.lane, error);
    if (!this.opts.respawnFailedInit) return;
    setTimeout(() => {
      if (this.stopping) return;
      recorder().rec(Rec.POOL, MAIN_LANE, this.opts.poolId, PoolAction.respawn, -1, slot.lane);
      this.start(slot);
    }, RESPAWN_DELAY_MS).unref();
  }

  /** Serializes and queues a task; returns its queue position. Throws MaybeEncodingError for uncloneable arguments. */
  push(taskId: number, fn: FnRef, mode: number, args: unknown[]): number {
    let bytes: Uint8Array;
    try {
      bytes = encodeTask(fn, mode, args);
    } catch (err) {
      throw encodingError('arguments', args, err);
    }
    if (bytes.length > this.queue.maxPayload) {
      throw new ValueError(`task arguments are ${bytes.length} bytes once serialized; the most one task can carry is ${this.queue.maxPayload}`);
    }
    this.began(1);
    return this.queue.push(taskId, bytes);
  }

  /** Tasks (or callbacks) main still expects: while any, the worker threads keep main's event loop alive. */
  began(n: number): void {
    if (this.outstanding === 0 && n > 0) for (const s of this.slots) s.port?.ref();
    this.outstanding += n;
  }

  ended(n: number): void {
    this.outstanding -= n;
    if (this.outstanding === 0) for (const s of this.slots) s.port?.unref();
  }

  /** No more tasks: workers finish the queue and exit. */
  close(): void {
    this.queue.close();
  }

  /** Resolves when every worker thread has exited; keeps main alive until then. */
  async joined(): Promise<void> {
    this.began(1);
    try {
      await Promise.all(this.slots.map((s) => s.exited));
    } finally {
      this.ended(1);
    }
  }

  /** Stops every thread now; queued tasks are dropped and their ids returned. */
  terminate(): number[] {
    this.stopping = true;
    const dropped = this.queue.dropAll();
    this.queue.close();
    for (const s of this.slots) s.stop?.();
    return dropped;
  }
}
