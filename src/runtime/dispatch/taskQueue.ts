// A pool's task queue, in a SharedArrayBuffer: main pushes, idle workers pull. Dispatch
// therefore never waits for main's event loop: a main thread that blocks (sleepSync, a busy
// loop) keeps its pool busy, as Python's task-handler thread does.
//
// Layout: an Int32 control block, then a data area framed as ringFraming.ts says, of records
//   i32 byteLength | i32 state | i32 taskId | i32 payloadBytes | payload (taskCodec.ts)
// Consumers take a short spin lock to claim a record; main takes the same lock to cancel a
// queued record or drop all of them, so a task is either started by exactly one worker or
// cancelled, never both.
import { recordStart, roomFor, skipPadding } from '../record/ringFraming';

// Main writes W and SEQ, workers write R and LOCK: each pair on its own cache line, so a
// worker claiming a task does not stall main's next push.
const CTL_BYTES = 128;
const W = 0;
const SEQ = 1;
const CLOSED = 2;
const R = 16;
const LOCK = 17;
const WAITERS = 18;
/** set while main waits for room in a full queue, so consumers notify only then */
const ROOM_WAITERS = 19;
const FIXED = 16;
const QUEUED = 0;
const CANCELLED = 2;

const BLOCKING_WAIT_MS = 2;

const TASK_QUEUE_BYTES = 64 * 1024 * 1024;

export function createTaskQueueBuffer(dataBytes = TASK_QUEUE_BYTES): SharedArrayBuffer {
  return new SharedArrayBuffer(CTL_BYTES + dataBytes);
}

/** Reads a task as it is taken: once `accept` returns, main may overwrite `bytes[start, end)`. */
export interface TaskSink {
  accept(taskId: number, bytes: Buffer, start: number, end: number): void;
}

export class TaskQueue {
  private readonly ctl: Int32Array;
  private readonly i32: Int32Array;
  private readonly bytes: Buffer;
  private readonly cap: number;
  /** Main's last look at R: the read end only moves on, so room seen once is still there. */
  private readSeen = 0;

  constructor(sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, CTL_BYTES / 4);
    this.cap = sab.byteLength - CTL_BYTES;
    this.i32 = new Int32Array(sab, CTL_BYTES);
    this.bytes = Buffer.from(sab, CTL_BYTES);
  }

  get maxPayload(): number {
    return this.cap / 2 - FIXED;
  }

  /** Appends a task; returns its position (to cancel it later). Blocks while the queue is full. */
  push(taskId: number, payload: Uint8Array): number {
    const size = (FIXED + payload.length + 7) & ~7;
    const start = this.ctl[W] >>> 0;
    const need = roomFor(this.cap, start, size);
    for (;;) {
      if (this.cap - ((start - this.readSeen) >>> 0) >= need) break;
      const r = (this.readSeen = Atomics.load(this.ctl, R) >>> 0);
      if (this.cap - ((start - r) >>> 0) >= need) break;
      Atomics.store(this.ctl, ROOM_WAITERS, 1);
      Atomics.wait(this.ctl, R, r | 0, 20);
      Atomics.store(this.ctl, ROOM_WAITERS, 0);
    }
    const w = recordStart(this.i32, this.cap, start, size);
    const pos = w & (this.cap - 1);
    const q = pos >> 2;
    this.i32[q + 1] = QUEUED;
    this.i32[q + 2] = taskId;
    this.i32[q + 3] = payload.length;
    this.bytes.set(payload, pos + FIXED);
    this.i32[q] = size;
    Atomics.store(this.ctl, W, (w + size) | 0);
    // Only sleepers look at SEQ, so it moves only when a worker is waiting, or about to: a
    // worker counts itself in WAITERS before its last look at the queue (waitForWork), so
    // either it sees this record or this sees it.
    if (Atomics.load(this.ctl, WAITERS) === 0) return w;
    Atomics.add(this.ctl, SEQ, 1);
    // Main wakes one idle worker when its record is the only one waiting: everything before it
    // has been taken, so the workers may all be asleep. (Judged after publishing: a worker may
    // take the last older record and go to sleep in the meantime.) A worker that takes a task
    // and sees more wakes the next (take), so a burst of pushes costs main one wake, not one per task.
    const r = Atomics.load(this.ctl, R) >>> 0;
    if (r === start || r === w) Atomics.notify(this.ctl, SEQ, 1);
    return w;
  }

  /** A waiter that was woken and will not take a task (it has nothing to run it on) wakes the next. */
  handOn(): void {
    if (Atomics.load(this.ctl, R) !== Atomics.load(this.ctl, W) && Atomics.load(this.ctl, WAITERS) > 0) Atomics.notify(this.ctl, SEQ, 1);
  }

  /** Claims the next queued task and hands it to `sink`; returns false when there is none. */
  take(sink: TaskSink): boolean {
    if (this.consume(sink, 1) === 0) return false;
    if (Atomics.load(this.ctl, R) !== Atomics.load(this.ctl, W) && Atomics.load(this.ctl, WAITERS) > 0) Atomics.notify(this.ctl, SEQ, 1);
    return true;
  }

  /**
   * Under the lock, consumes records from the read end, handing queued tasks to `sink`, until
   * it has taken `max` of them or the queue is empty. Returns how many it took.
   */
  private consume(sink: TaskSink, max: number): number {
    this.lock();
    try {
      const w = Atomics.load(this.ctl, W) >>> 0;
      let r = this.ctl[R] >>> 0;
      let taken = 0;
      while (r !== w && taken < max) {
        r = skipPadding(this.i32, this.cap, r);
        const pos = r & (this.cap - 1);
        const q = pos >> 2;
        r = (r + this.i32[q]) >>> 0;
        if (this.i32[q + 1] !== QUEUED) continue;
        // Before R moves past the record, so main cannot be overwriting it yet.
        sink.accept(this.i32[q + 2], this.bytes, pos + FIXED, pos + FIXED + this.i32[q + 3]);
        taken++;
      }
      Atomics.store(this.ctl, R, r | 0);
      if (Atomics.load(this.ctl, ROOM_WAITERS) !== 0) Atomics.notify(this.ctl, R);
      return taken;
    } finally {
      this.unlock();
    }
  }

  /** Waits until something may have been pushed (or the queue closed) since `seq` was read. */
  async waitForWork(seq: number): Promise<void> {
    Atomics.add(this.ctl, WAITERS, 1);
    try {
      // A push that came before main could see this waiter did not move SEQ: look again.
      if (Atomics.load(this.ctl, W) !== Atomics.load(this.ctl, R)) return;
      // A short blocking wait first: a futex wake is several times quicker than a trip through
      // the event loop, and work often follows within microseconds (a main awaiting each
      // result). Only an idle thread gets here, so nothing of its own waits meanwhile.
      if (Atomics.wait(this.ctl, SEQ, seq, BLOCKING_WAIT_MS) !== 'timed-out') return;
      const res = Atomics.waitAsync(this.ctl, SEQ, seq);
      if (res.async) await res.value;
    } finally {
      Atomics.sub(this.ctl, WAITERS, 1);
    }
  }

  get seq(): number {
    return Atomics.load(this.ctl, SEQ);
  }

  /** Whether records are left to take (a cancelled one counts until it is skipped). */
  get waiting(): boolean {
    return Atomics.load(this.ctl, R) !== Atomics.load(this.ctl, W);
  }

  get closed(): boolean {
    return Atomics.load(this.ctl, CLOSED) === 1;
  }

  close(): void {
    Atomics.store(this.ctl, CLOSED, 1);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
  }

  /** A position the read end has passed already: that of a task handed to a worker without queueing (it cannot be cancelled). */
  get handedPosition(): number {
    return (Atomics.load(this.ctl, R) - 8) | 0;
  }

  /** Whether the record pushed at `pos` was claimed (or skipped) already. */
  consumed(pos: number): boolean {
    return (((Atomics.load(this.ctl, R) >>> 0) - pos) | 0) > 0;
  }

  /** Cancels the task at `pos` if no worker has claimed it yet. */
  cancel(pos: number, taskId: number): boolean {
    this.lock();
    try {
      if (this.consumed(pos)) return false;
      const q = (pos & (this.cap - 1)) >> 2;
      if (this.i32[q + 2] !== taskId || this.i32[q + 1] !== QUEUED) return false;
      this.i32[q + 1] = CANCELLED;
      return true;
    } finally {
      this.unlock();
    }
  }

  /** Drops every queued task; returns their ids. */
  dropAll(): number[] {
    const dropped: number[] = [];
    this.consume({ accept: (taskId) => void dropped.push(taskId) }, Infinity);
    return dropped;
  }

  // A futex mutex (0 free, 1 held, 2 held with waiters): an unlock notifies only when someone
  // sleeps on the lock, since every notify takes a process-wide mutex inside V8.
  private lock(): void {
    let c = Atomics.compareExchange(this.ctl, LOCK, 0, 1);
    while (c !== 0) {
      if (c === 2 || Atomics.compareExchange(this.ctl, LOCK, 1, 2) !== 0) Atomics.wait(this.ctl, LOCK, 2, 1);
      c = Atomics.compareExchange(this.ctl, LOCK, 0, 2);
    }
  }

  private unlock(): void {
    if (Atomics.exchange(this.ctl, LOCK, 0) === 2) Atomics.notify(this.ctl, LOCK, 1);
  }
}
