// The child processes behind a Pool or ProcessPoolExecutor, as main holds them: per slot, a
// proxy thread (processProxy.ts) that starts the slot's child, feeds it from the pool's queue
// while main is busy, replaces it as the pool wants and records its deaths. Each child also
// connects to main: its results come straight here, and a task main issues while a child is
// idle and nothing is queued goes straight to that child, so a task round trip is two hops
// (main to child, child to main) instead of four through the proxy. Main hears of a death from
// the proxy, once it has read everything the dead child sent it.
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { threadId } from 'node:worker_threads';
import { Rec, WorkerAction } from '../../../trace/records';
import { nowUs } from '../../record/clock';
import { RingWriter } from '../../record/eventRing';
import { userFrames } from '../../sites/stacks';
import { PoolWorkers, type Slot, type WorkerEvents, type WorkerOptions } from '../poolWorkers';
import { LANE_IDLE, WorkerEnd, WorkerState, type PoolWorkerData, type ProcessSlotOptions, type ProxyCommand, type ThreadExit, type WorkerMessage } from '../workerProtocol';
import { frame, FRAME_HEAD, FrameReader, ToChild, ToMain } from './frames';

/** How long the end of main waits for the proxies to read the records of the tasks whose results it has. */
const RECORDS_CATCH_UP_MS = 500;

let listeners = 0;

/**
 * Where a pool's main listens: an abstract Unix socket on Linux (nothing to clean up), a socket
 * file elsewhere (removed as the listening handle closes). A child writes to it by its fd, as to
 * its pipes, which needs a Unix socket: there is no Windows route.
 */
function listenPath(): string {
  const name = `poolscope-${process.pid}-${threadId}-${listeners++}-${Math.random().toString(36).slice(2, 8)}`;
  return process.platform === 'linux' ? `\0${name}` : join(tmpdir(), `${name}.sock`);
}

/** Every process pool of the run, for the end of main (see awaitProcessRecords). */
const pools = new Set<ProcessWorkers>();

export class ProcessWorkers extends PoolWorkers {
  protected readonly script = 'process-proxy.mjs';
  private readonly server: Server;
  private readonly mainPath = listenPath();
  /** each live child's connection, by pid */
  private readonly links = new Map<number, Socket>();
  private readonly sockets = new Set<Socket>();
  /** pids whose connection has closed: all they sent is read */
  private readonly closedPids = new Set<number>();
  /** connections closed, per lane */
  private readonly closedPerLane = new Map<number, number>();
  /** what waits for a pid's connection to close (the news of its death), or for a lane's connections (its end) */
  private readonly onPidClosed = new Map<number, () => void>();
  private readonly onLaneClosed = new Map<number, () => void>();
  /** result triples read per lane */
  private readonly resultsRead = new Map<number, number>();
  /** the last task whose result came, per child */
  private readonly lastResult = new Map<number, number>();
  /** per child: the number of its next result frame, those that came before their turn, and whether its connection closed */
  private readonly order = new Map<number, { next: number; early: Map<number, Uint8Array>; closed: boolean }>();
  /** main hands tasks to idle children itself, unless each child's tasks are counted (maxtasksperchild) */
  private readonly direct: boolean;
  private nextSlot = 0;

  constructor(
    opts: WorkerOptions,
    events: WorkerEvents,
    private readonly processes: Omit<ProcessSlotOptions, 'mainPath'>,
  ) {
    super(opts, events);
    this.direct = processes.maxTasks === 0;
    this.server = createServer((socket) => this.accept(socket));
    this.server.listen(this.mainPath);
    this.server.unref();
    pools.add(this);
  }

  protected slotData(): Partial<PoolWorkerData> {
    return { process: { ...this.processes, mainPath: this.mainPath } };
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

  /**
   * A child that connected may have sent results before it died: they come first. One that died
   * between telling its proxy a task ended and sending main the result lost that task.
   */
  protected override workerDied(slot: Slot, m: Extract<WorkerMessage, { t: 'died' }>): void {
    const told = () => {
      const unsent = m.task === 0 && m.ended && this.lastResult.get(m.pid!) !== m.ended ? m.ended : 0;
      this.lastResult.delete(m.pid!);
      super.workerDied(slot, unsent ? { ...m, task: unsent } : m);
    };
    if (!m.connected || m.pid === undefined || this.closedPids.has(m.pid)) return told();
    this.onPidClosed.set(m.pid, told);
  }

  protected override onMessage(slot: Slot, m: WorkerMessage): void {
    if (m.t === 'relayed') this.resultFrame(slot.lane, m.pid, m.body);
    else super.onMessage(slot, m);
  }

  /** Every child the slot's proxy started has connected and gone: their results are all read. */
  protected override drained(slot: Slot): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if ((this.closedPerLane.get(slot.lane) ?? 0) < Atomics.load(slot.state, WorkerState.CONNECTED)) return;
        this.onLaneClosed.delete(slot.lane);
        resolve();
      };
      this.onLaneClosed.set(slot.lane, check);
      check();
    });
  }

  protected override keepAlive(on: boolean): void {
    super.keepAlive(on);
    for (const s of this.sockets) {
      if (on) s.ref();
      else s.unref();
    }
  }

  /**
   * Straight to an idle child when nothing is queued before it (a later task never overtakes an
   * earlier one), else into the queue for whichever child is idle first. The lane is claimed
   * by a compare-and-swap its proxy also makes, so only one of them hands it a task.
   */
  protected override dispatch(taskId: number, bytes: Uint8Array): number {
    if (!this.direct || this.queue.waiting) return this.queue.push(taskId, bytes);
    const n = this.slots.length;
    for (let k = 0; k < n; k++) {
      const slot = this.slots[(this.nextSlot + k) % n];
      if (Atomics.compareExchange(slot.state, WorkerState.TASK, LANE_IDLE, taskId) !== LANE_IDLE) continue;
      // The claim is for the child the proxy runs now; main may not have its connection yet.
      const link = this.links.get(Atomics.load(slot.state, WorkerState.PID));
      if (!link) {
        Atomics.compareExchange(slot.state, WorkerState.TASK, taskId, LANE_IDLE);
        continue;
      }
      this.nextSlot = (this.nextSlot + k + 1) % n;
      new Float64Array(slot.state.buffer, WorkerState.HANDED_AT_BYTE, 1)[0] = nowUs();
      const f = frame(ToChild.TASK, 4 + bytes.length);
      f.writeInt32LE(taskId, FRAME_HEAD);
      f.set(bytes, FRAME_HEAD + 4);
      link.write(f);
      return this.queue.handedPosition;
    }
    return this.queue.push(taskId, bytes);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    if (this.outstanding === 0) socket.unref();
    // A child that dies mid-write: its proxy tells of its death.
    socket.on('error', () => undefined);
    let lane = -1;
    let pid = -1;
    const frames = new FrameReader((kind, body) => {
      if (kind === ToMain.RESULTS) return this.resultFrame(lane, pid, body);
      if (kind !== ToMain.HELLO) return;
      lane = body.readUInt32LE(0);
      pid = body.readUInt32LE(4);
      this.links.set(pid, socket);
    });
    socket.on('data', (chunk: Buffer) => frames.push(chunk));
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (pid < 0) return;
      this.links.delete(pid);
      this.closedPids.add(pid);
      this.releaseEarly(lane, pid);
      this.closedPerLane.set(lane, (this.closedPerLane.get(lane) ?? 0) + 1);
      this.onPidClosed.get(pid)?.();
      this.onPidClosed.delete(pid);
      this.onLaneClosed.get(lane)?.();
    });
  }

  private orderOf(pid: number) {
    let o = this.order.get(pid);
    if (!o) this.order.set(pid, (o = { next: 0, early: new Map(), closed: false }));
    return o;
  }

  /** A child's results, straight or relayed by its proxy: taken in the order the child sent them. */
  private resultFrame(lane: number, pid: number, body: Uint8Array): void {
    const o = this.orderOf(pid);
    const seq = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true);
    if (seq !== o.next && !o.closed) return void o.early.set(seq, new Uint8Array(body));
    this.resultsIn(lane, pid, body);
    o.next = seq + 1;
    for (let more = o.early.get(o.next); more; more = o.early.get(o.next)) {
      o.early.delete(o.next);
      this.resultsIn(lane, pid, more);
      o.next++;
    }
  }

  /** Its connection closed: nothing more comes on it, so what waits for a frame lost with the child goes now. */
  private releaseEarly(lane: number, pid: number): void {
    const o = this.orderOf(pid);
    o.closed = true;
    for (const seq of [...o.early.keys()].sort((a, b) => a - b)) this.resultsIn(lane, pid, o.early.get(seq)!);
    o.early.clear();
  }

  private resultsIn(lane: number, pid: number, body: Uint8Array): void {
    const items = deserialize(body.subarray(4)) as unknown[];
    const slot = this.slots.find((s) => s.lane === lane);
    if (!slot) return;
    this.lastResult.set(pid, items[items.length - 3] as number);
    // The child is idle once its result is out (its IDLE to the proxy came first): whoever learns
    // it first frees the lane. Where the proxy counts each child's tasks, only the proxy does.
    if (this.direct) for (let i = 0; i < items.length; i += 3) Atomics.compareExchange(slot.state, WorkerState.TASK, items[i] as number, LANE_IDLE);
    this.resultsRead.set(lane, (this.resultsRead.get(lane) ?? 0) + items.length / 3);
    this.events.results(items);
  }

  /** Waits (a bounded while) until each proxy has read the ends of the tasks whose results main has. */
  catchUp(until: number): void {
    if (!this.opts.traceTasks) return;
    for (const slot of this.slots) {
      const read = this.resultsRead.get(slot.lane) ?? 0;
      for (;;) {
        const ends = Atomics.load(slot.state, WorkerState.ENDS_READ);
        if (ends >= read || slot.state[WorkerState.END] !== WorkerEnd.running) break;
        const left = until - performance.now();
        if (left <= 0) return;
        Atomics.wait(slot.state, WorkerState.ENDS_READ, ends, Math.min(left, 5));
      }
    }
  }
}

/**
 * Before main ends the run: a proxy copies a task's end into the trace as a child's result comes
 * to main, not before, and the run's end stops the proxies. Waits until they have, so a task
 * whose result main had is not drawn unfinished.
 */
export function awaitProcessRecords(): void {
  const until = performance.now() + RECORDS_CATCH_UP_MS;
  for (const p of pools) p.catchUp(until);
}
