// What a pool's child process says, and is told, in frames:
//   u32 body bytes | u8 kind | body
// on the pipes between it and its proxy (a thread of the run, which starts it, feeds it while main
// is busy and copies its records into the lane's ring) and on its connection to main (its results,
// and the tasks main hands it itself while it is idle). Each direction has its own kinds.
import type { FnRef } from '../taskRegistry';

/** What a child needs to know before its first task (the INIT frame). */
export interface ChildInit {
  lane: number;
  laneName: string;
  traceTasks: boolean;
  poolId: number;
  initializer?: FnRef;
  initargs: unknown[];
  /** where main listens (ProcessSlotOptions.mainPath) */
  mainPath: string;
}

/** proxy -> child, on the child's fd 3; main -> child (TASK only), on its connection */
export const ToChild = {
  /** v8-serialized ChildInit */
  INIT: 1,
  /** i32 task id | the task as the queue holds it (taskCodec.ts) */
  TASK: 2,
  /** no more tasks: end */
  QUIT: 3,
} as const;

/** child -> proxy, on the child's fd 4 */
export const FromChild = {
  /** trace records, encoded as a ring holds them (eventRing.ts RecordBuffer) */
  RECORDS: 1,
  /** results for main that its connection had no room for (ToMain.RESULTS) */
  RESULTS: 2,
  /** ready for a task: i32 the task it ended (its result is on its way to main), or 0 once initialized */
  IDLE: 3,
  /** utf8: the initializer threw (the child then exits) */
  INIT_FAILED: 4,
  /** utf8: why the child is about to die, as it saw it coming */
  DYING: 5,
  /** it has connected to main: what it sends there from now on, main reads before hearing of its death */
  CONNECTED: 6,
} as const;

/** child -> main, on its connection */
export const ToMain = {
  /** u32 lane | u32 pid: the connection's first frame */
  HELLO: 1,
  /** u32 the child's count of result frames before this one | v8-serialized flat result triples */
  RESULTS: 2,
} as const;

export const FRAME_HEAD = 5;

/** One frame: a head and `bodyBytes` to be filled in from FRAME_HEAD on. */
export function frame(kind: number, bodyBytes: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEAD + bodyBytes);
  buf.writeUInt32LE(bodyBytes, 0);
  buf[4] = kind;
  return buf;
}

export function frameOf(kind: number, body: Uint8Array | string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const buf = frame(kind, bytes.length);
  buf.set(bytes, FRAME_HEAD);
  return buf;
}

/** Cuts a byte stream into frames, however its chunks fall. A frame's body is a view: copy what you keep. */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** bytes needed before the next frame can be whole */
  private need = FRAME_HEAD;

  constructor(private readonly onFrame: (kind: number, body: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // A big frame comes in many chunks: they are joined once, when it is whole.
    if (this.pendingBytes < this.need) return;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.need = FRAME_HEAD;
    let pos = 0;
    while (buf.length - pos >= FRAME_HEAD) {
      const size = buf.readUInt32LE(pos);
      if (buf.length - pos - FRAME_HEAD < size) {
        this.need = FRAME_HEAD + size;
        break;
      }
      this.onFrame(buf[pos + 4], buf.subarray(pos + FRAME_HEAD, pos + FRAME_HEAD + size));
      pos += FRAME_HEAD + size;
    }
    if (pos < buf.length) {
      this.pending.push(buf.subarray(pos));
      this.pendingBytes = buf.length - pos;
    }
  }
}
