// A single-producer, single-consumer ring of trace records in a SharedArrayBuffer.
// Each thread writes its own ring; the host reads it. Because the memory is shared, the
// host still holds every record a thread finished writing when that thread crashes or is
// terminated: nothing waits in a per-thread buffer to be flushed. A child process cannot share
// memory: it encodes the same records into a RecordBuffer and sends the bytes, which a thread
// of the run copies into the child's ring as they come (writeEncoded).
//
// Layout: a 16-byte header (write count, read count, dropped count; all Uint32 and
// free-running, so they wrap at 2^32 and differences are taken with >>> 0), then the data
// area, framed as ringFraming.ts says, of records
//   i32 byteLength | u8 type | u8 0 | u16 lane | f64 ts | i32 a..f | i32 textBytes | utf8 text
import type { RawRecord } from '../../trace/records';
import { recordStart, roomFor, skipPadding } from './ringFraming';

/** Where records are written: a thread's ring, or a child process's outgoing buffer. */
export interface RecordSink {
  write(type: number, lane: number, ts: number, a?: number, b?: number, c?: number, d?: number, e?: number, f?: number, text?: string): void;
}

const HEADER = 16;
const W = 0;
const R = 1;
const DROPPED = 2;
/** Bytes of a record before its text (the layout above, which record files share). */
export const RECORD_HEAD_BYTES = 44;

export function createRingBuffer(dataBytes: number): SharedArrayBuffer {
  if (dataBytes & (dataBytes - 1)) throw new RangeError('ring size must be a power of two');
  return new SharedArrayBuffer(HEADER + dataBytes);
}

/** Views of one 8-aligned area that records are encoded into. */
interface RecordArea {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly bytes: Buffer;
}

/** The most bytes a record with `text` can take, before its text is encoded. */
function maxRecordBytes(text: string | undefined): number {
  return (RECORD_HEAD_BYTES + (text === undefined ? 0 : text.length * 3) + 7) & ~7;
}

/** Encodes one record at byte `pos` (8-aligned) of `area`; returns the bytes it takes. */
function putRecord(
  area: RecordArea,
  pos: number,
  type: number,
  lane: number,
  ts: number,
  a: number,
  b: number,
  c: number,
  d: number,
  e: number,
  f: number,
  text: string | undefined,
): number {
  const q = pos >> 2;
  const i32 = area.i32;
  i32[q + 1] = type | (lane << 16);
  area.f64[(pos >> 3) + 1] = ts;
  i32[q + 4] = a;
  i32[q + 5] = b;
  i32[q + 6] = c;
  i32[q + 7] = d;
  i32[q + 8] = e;
  i32[q + 9] = f;
  const textBytes = text ? area.bytes.write(text, pos + RECORD_HEAD_BYTES, 'utf8') : 0;
  i32[q + 10] = text === undefined ? -1 : textBytes;
  const used = (RECORD_HEAD_BYTES + textBytes + 7) & ~7;
  i32[q] = used;
  return used;
}

class RingView implements RecordArea {
  protected readonly ctl: Uint32Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly bytes: Buffer;
  protected readonly cap: number;

  constructor(sab: SharedArrayBuffer) {
    this.cap = sab.byteLength - HEADER;
    this.ctl = new Uint32Array(sab, 0, 4);
    this.i32 = new Int32Array(sab, HEADER);
    this.f64 = new Float64Array(sab, HEADER);
    this.bytes = Buffer.from(sab, HEADER);
  }
}

export class RingWriter extends RingView implements RecordSink {
  /** the write count at the record being written (past any padding) */
  private at = 0;

  /** Called when the ring is full; returns once the reader made room (or gave up). */
  constructor(
    sab: SharedArrayBuffer,
    private readonly waitForRoom: (ctl: Int32Array, seenRead: number) => void = blockingWait,
  ) {
    super(sab);
  }

  write(type: number, lane: number, ts: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, text?: string): void {
    let size = maxRecordBytes(text);
    if (size > this.cap / 2) {
      text = text!.slice(0, Math.floor((this.cap / 2 - RECORD_HEAD_BYTES) / 3) - 16) + '…';
      size = maxRecordBytes(text);
    }
    const pos = this.reserve(size);
    if (pos < 0) return;
    this.commit(putRecord(this, pos, type, lane, ts, a, b, c, d, e, f, text));
  }

  /** Copies one record encoded elsewhere (a RecordBuffer's) into the ring. */
  writeEncoded(src: Uint8Array, start: number, used: number): void {
    const pos = this.reserve(used);
    if (pos < 0) return;
    this.bytes.set(src.subarray(start, start + used), pos);
    this.commit(used);
  }

  /** Where a record of up to `size` bytes goes (padding the area's end if it must), or -1: dropped. */
  private reserve(size: number): number {
    const w = this.ctl[W];
    if (!this.makeRoom(w, roomFor(this.cap, w, size))) {
      Atomics.add(this.ctl, DROPPED, 1);
      return -1;
    }
    this.at = recordStart(this.i32, this.cap, w, size);
    return this.at & (this.cap - 1);
  }

  /** Publishes the record just written where reserve put it (and any padding before it). */
  private commit(used: number): void {
    Atomics.store(this.ctl, W, (this.at + used) >>> 0);
  }

  private makeRoom(w: number, need: number): boolean {
    for (let tries = 0; tries < 200; tries++) {
      const r = Atomics.load(this.ctl, R);
      if (this.cap - ((w - r) >>> 0) >= need) return true;
      this.waitForRoom(new Int32Array(this.ctl.buffer, this.ctl.byteOffset, 4), r);
    }
    return false;
  }
}

/** The longest text a RecordBuffer keeps of one record: a record of it fits any ring of 4 MB. */
const MAX_BUFFERED_TEXT = 256 * 1024;

/**
 * Records encoded as a ring holds them, one after another in a growing buffer: what a child
 * process sends so that a thread of the run can copy them into its ring as they are.
 */
export class RecordBuffer implements RecordSink, RecordArea {
  i32!: Int32Array;
  f64!: Float64Array;
  bytes!: Buffer;
  length = 0;

  constructor(initialBytes = 64 * 1024) {
    this.allocate(initialBytes);
  }

  private allocate(bytes: number): void {
    const old = this.bytes;
    const ab = new ArrayBuffer(bytes);
    this.i32 = new Int32Array(ab);
    this.f64 = new Float64Array(ab);
    this.bytes = Buffer.from(ab);
    if (old) old.copy(this.bytes, 0, 0, this.length);
  }

  write(type: number, lane: number, ts: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, text?: string): void {
    if (text !== undefined && text.length > MAX_BUFFERED_TEXT) text = text.slice(0, MAX_BUFFERED_TEXT) + '…';
    this.length += putRecord(this, this.reserve(maxRecordBytes(text)), type, lane, ts, a, b, c, d, e, f, text);
  }

  /** Makes room for `size` more bytes; returns where they go (the current length, 8-aligned). */
  reserve(size: number): number {
    if (this.length + size > this.bytes.length) this.allocate(Math.max(this.bytes.length * 2, this.length + size));
    return this.length;
  }

  /** The records written since the last clear; valid until the next write. */
  view(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

/** Calls `each(start, used)` for every whole record in `bytes`, as a RecordBuffer encoded them. */
export function forEachEncoded(bytes: Buffer, each: (start: number, used: number) => void): void {
  for (let pos = 0; pos < bytes.length;) {
    const used = bytes.readInt32LE(pos);
    each(pos, used);
    pos += used;
  }
}

/** The type of the encoded record at `start`. */
export function encodedType(bytes: Buffer, start: number): number {
  return bytes.readUInt16LE(start + 4);
}

/** Field a of the encoded record at `start`. */
export function encodedA(bytes: Buffer, start: number): number {
  return bytes.readInt32LE(start + 16);
}

function blockingWait(ctl: Int32Array, seenRead: number): void {
  Atomics.wait(ctl, R, seenRead | 0, 50);
}

/**
 * Decodes the record at byte `pos` of `data` into `rec`, if `data` holds all of it: returns its
 * byte length, 0 where no record is written yet (a zero length) or `data` ends inside it.
 * `where` names the bytes in the error a malformed length throws.
 */
export function readRecord(data: Buffer, pos: number, rec: RawRecord, where: () => string): number {
  if (data.length - pos < RECORD_HEAD_BYTES) return 0;
  const size = data.readInt32LE(pos);
  if (size === 0 || data.length - pos < size) return 0;
  if (size < RECORD_HEAD_BYTES || size % 8 !== 0) throw new Error(`${where()}: bad record length ${size}`);
  const head = data.readInt32LE(pos + 4);
  rec.type = head & 0xffff;
  rec.lane = head >>> 16;
  rec.ts = data.readDoubleLE(pos + 8);
  rec.a = data.readInt32LE(pos + 16);
  rec.b = data.readInt32LE(pos + 20);
  rec.c = data.readInt32LE(pos + 24);
  rec.d = data.readInt32LE(pos + 28);
  rec.e = data.readInt32LE(pos + 32);
  rec.f = data.readInt32LE(pos + 36);
  const textBytes = data.readInt32LE(pos + 40);
  if (textBytes > size - RECORD_HEAD_BYTES) throw new Error(`${where()}: a text of ${textBytes} bytes in a record of ${size}`);
  rec.text = textBytes < 0 ? undefined : data.toString('utf8', pos + RECORD_HEAD_BYTES, pos + RECORD_HEAD_BYTES + textBytes);
  return size;
}

/** Receives whole records as they lie encoded: bytes [start, end) of `bytes`. */
export type OnRecordBytes = (bytes: Uint8Array, start: number, end: number) => void;

export class RingReader extends RingView {
  /** One record object, refilled for each record: a drain of a million records allocates none. */
  private readonly rec: RawRecord = { type: 0, lane: 0, ts: 0, a: 0, b: 0, c: 0, d: 0, e: 0, f: 0, text: undefined };

  /** Records dropped because the ring stayed full (the reader fell far behind). */
  get dropped(): number {
    return Atomics.load(this.ctl, DROPPED);
  }

  readonly handsBytes = true;

  /**
   * Reads the complete records written so far, at most `max` of them; returns how many it read.
   * The record passed is reused: copy what you keep. `onBytes` gets the same records as they lie
   * in the ring, in as few pieces as the ring's wrapping allows, before the ring lets them go.
   */
  drain(onRecord: (r: RawRecord) => void, max = Infinity, onBytes?: OnRecordBytes): number {
    const w = Atomics.load(this.ctl, W);
    let r = this.ctl[R];
    let n = 0;
    /** the piece of whole records read and not yet handed to onBytes */
    let from = 0;
    let to = 0;
    while (r !== w && n < max) {
      r = skipPadding(this.i32, this.cap, r);
      const pos = r & (this.cap - 1);
      const q = pos >> 2;
      const len = this.i32[q];
      const head = this.i32[q + 1];
      const textBytes = this.i32[q + 10];
      const rec = this.rec;
      rec.type = head & 0xffff;
      rec.lane = head >>> 16;
      rec.ts = this.f64[(pos >> 3) + 1];
      rec.a = this.i32[q + 4];
      rec.b = this.i32[q + 5];
      rec.c = this.i32[q + 6];
      rec.d = this.i32[q + 7];
      rec.e = this.i32[q + 8];
      rec.f = this.i32[q + 9];
      rec.text = textBytes < 0 ? undefined : this.bytes.toString('utf8', pos + RECORD_HEAD_BYTES, pos + RECORD_HEAD_BYTES + textBytes);
      onRecord(rec);
      if (onBytes && pos !== to) {
        if (to > from) onBytes(this.bytes, from, to);
        from = pos;
      }
      to = pos + len;
      r = (r + len) >>> 0;
      n++;
    }
    if (onBytes && to > from) onBytes(this.bytes, from, to);
    Atomics.store(this.ctl, R, r);
    Atomics.notify(new Int32Array(this.ctl.buffer, this.ctl.byteOffset, 4), R);
    return n;
  }
}
