// The workers behind one pool, as main holds them: a shared task queue that idle workers pull
// from, and one thread per slot (a thread that runs tasks, or one that feeds a child process:
// see ThreadWorkers and ProcessWorkers). A slot keeps its lane for its whole life, so a child
// process replaced by its proxy draws on the same row.
import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import { spawnThread } from '../host/spawnThread';
import { encodingError, ValueError } from '../api/errors';
import { nowUs } from '../record/clock';
import { hostLink, newWorkerLane, type WorkerLane } from '../main/runContext';
import { createTaskQueueBuffer, TaskQueue } from './taskQueue';
import type { FnRef } from './taskRegistry';
import { encodeTask } from './taskCodec';
import { ReshapedValues } from './reshaped';
import { currentLane } from '../record/lanes';
import { TaskMode, WorkerState, type PoolScript, type PoolWorkerData, type ThreadExit, type WorkerMessage } from './workerProtocol';

export interface WorkerEvents {
  results(items: unknown[]): void;
  initFailed(lane: number, error: string): void;
  /** A worker died unasked, taking task `task` (0: none) with it; `why` is for people. */
  died(lane: number, task: number, why: string): void;
}

export interface WorkerOptions {
  poolId: number;
  initializer?: FnRef;
  initargs: unknown[];
  traceTasks: boolean;
  resourceLimits?: ResourceLimits;
}

export interface Slot extends WorkerLane {
  /** main's end of the channel the slot's thread reports on */
  port?: MessagePort;
  /** the thread's WorkerState cells */
  state: Int32Array;
  stop?: () => void;
  exited: Promise<void>;
  /** why the pool ended it, once it did (terminate, a broken executor) */
  stopped?: string;
  /** what its initializer threw, if it did */
  initError?: string;
}

/** Arguments sent from this thread (main's, or a task's that makes a pool of its own). */
const reshaped = new ReshapedValues();

export abstract class PoolWorkers {
  private readonly queueBuffer = createTaskQueueBuffer();
  readonly queue = new TaskQueue(this.queueBuffer);
  protected readonly slots: Slot[] = [];
  /** tasks (or callbacks) main still expects */
  protected outstanding = 0;

  constructor(
    protected readonly opts: WorkerOptions,
    protected readonly events: WorkerEvents,
  ) {}

  /** The script of a slot's thread, and what it needs beyond what every slot gets. */
  protected abstract readonly script: PoolScript;
  protected abstract slotData(): Partial<PoolWorkerData>;
  /** How to end the slot's worker (its `stopped` says why): `terminateThread` ends its thread. */
  protected abstract stopper(slot: Slot, terminateThread: () => void): () => void;
  /** The slot's thread is gone (its channel closed, and its exit is known): what that means for the pool. */
  protected abstract threadEnded(slot: Slot, exit: ThreadExit): void;

  /** Settles once everything the slot's worker sent main has been read, after its thread ended (what a thread sends comes before its end). */
  protected drained?(slot: Slot): Promise<void>;

  /** Queues an encoded task for the idle workers; returns its queue position. */
  protected dispatch(taskId: number, bytes: Uint8Array): number {
    return this.queue.push(taskId, bytes);
  }

  /** Whether what the workers send keeps main's event loop alive: while main expects something. */
  protected keepAlive(on: boolean): void {
    for (const s of this.slots) {
      if (on) s.port?.ref();
      else s.port?.unref();
    }
  }

  get size(): number {
    return this.slots.length;
  }

  addWorker(): void {
    const state = new SharedArrayBuffer(WorkerState.BYTES);
    const slot: Slot = { ...newWorkerLane(this.opts.poolId), state: new Int32Array(state), exited: Promise.resolve() };
    this.slots.push(slot);
    this.start(slot, state);
  }

  private start(slot: Slot, state: SharedArrayBuffer): void {
    const { port1, port2 } = new MessageChannel();
    const data: PoolWorkerData = {
      port: port2,
      queue: this.queueBuffer,
      ring: slot.ring,
      state,
      lane: slot.lane,
      laneName: slot.name,
      traceTasks: this.opts.traceTasks,
      poolId: this.opts.poolId,
      initializer: this.opts.initializer,
      initargs: this.opts.initargs,
      resourceLimits: this.opts.resourceLimits,
      ...this.slotData(),
    };
    slot.port = port1;
    port1.on('message', (m: WorkerMessage) => this.onMessage(slot, m));
    if (this.outstanding === 0) port1.unref();
    // The channel closes when the thread ends, however it ends, after everything it sent.
    const closed = new Promise<void>((resolve) => port1.once('close', resolve));
    let exit: Promise<ThreadExit>;
    const host = hostLink();
    if (host) {
      host.spawn(slot.lane, this.script, data);
      // Asked only once the channel closed: until then the channel keeps main alive as it must.
      exit = closed.then(() => host.threadExit(slot.lane));
      slot.stop = this.stopper(slot, () => host.terminate(slot.lane));
    } else {
      const worker = spawnThread(this.script, data, [port2], this.script === 'pool-worker.mjs' ? this.opts.resourceLimits : undefined);
      worker.unref();
      exit = threadExit(worker, closed);
      slot.stop = this.stopper(slot, () => void worker.terminate());
    }
    slot.exited = Promise.all([closed, exit]).then(async ([, e]) => {
      if (slot.port === port1) slot.port = undefined;
      await this.drained?.(slot);
      this.threadEnded(slot, e);
    });
  }

  protected onMessage(slot: Slot, m: WorkerMessage): void {
    if (m.t === 'results') this.events.results(m.items);
    else if (m.t === 'init-failed') {
      slot.initError = m.error;
      this.events.initFailed(slot.lane, m.error);
    } else if (m.t === 'died') this.workerDied(slot, m);
  }

  /** What a slot's thread says of a death it saw (a process proxy's child). */
  protected workerDied(slot: Slot, m: Extract<WorkerMessage, { t: 'died' }>): void {
    this.events.died(slot.lane, m.task, m.why);
  }

  /** Serializes and queues a task; returns its queue position. Throws MaybeEncodingError for uncloneable arguments. */
  push(taskId: number, fn: FnRef, mode: number, args: unknown[]): number {
    let bytes: Uint8Array;
    try {
      bytes = encodeTask(fn, mode, args);
    } catch (err) {
      throw encodingError('arguments', args, err);
    }
    reshaped.arguments(currentLane(), taskId, fn.id, args, mode !== TaskMode.call);
    if (bytes.length > this.queue.maxPayload) {
      throw new ValueError(`task arguments are ${bytes.length} bytes once serialized; the most one task can carry is ${this.queue.maxPayload}`);
    }
    this.began(1);
    return this.dispatch(taskId, bytes);
  }

  /** Tasks (or callbacks) main still expects: while any, the worker threads keep main's event loop alive. */
  began(n: number): void {
    if (this.outstanding === 0 && n > 0) this.keepAlive(true);
    this.outstanding += n;
  }

  ended(n: number): void {
    this.outstanding -= n;
    if (this.outstanding === 0) this.keepAlive(false);
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

  /** Stops every worker now, saying `why` of the tasks they were running; queued tasks are dropped and their ids returned. */
  terminate(why = 'the pool was terminated while it ran'): number[] {
    const dropped = this.queue.dropAll();
    this.queue.close();
    for (const s of this.slots) {
      if (s.stopped !== undefined) continue;
      s.stopped = why;
      s.stop?.();
    }
    return dropped;
  }
}

/** How a thread main started itself ended (the runtime used without a host). */
function threadExit(worker: Worker, closed: Promise<void>): Promise<ThreadExit> {
  let error: ThreadExit['error'];
  worker.on('error', (e: Error & { code?: string }) => (error = { name: e.name, message: e.message, stack: e.stack, code: e.code }));
  // Once its channel closed, the thread's exit is what main waits for.
  void closed.then(() => worker.ref());
  return new Promise((resolve) => worker.once('exit', (code) => resolve({ code, error, ts: nowUs() })));
}
