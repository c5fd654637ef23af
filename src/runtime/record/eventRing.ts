// A single-producer, single-consumer ring of trace records in a SharedArrayBuffer.
// Each thread writes its own ring; the host reads it. Because the memory is shared, the
// host still holds every record a thread finished writing when that thread crashes or is
// terminated: nothing waits in a per-thread buffer to be flushed.
//
// Layout: a 16-byte header (write count, read count, dropped count; all Uint32 and
// free-running, so they wrap at 2^32 and differences are taken with >>> 0), then the data
// area, a power of two in size. A record is 8-aligned:
//   i32 byteLength | u8 type | u8 0 | u16 lane | f64 ts | i32 a..f | i32 textBytes | utf8 text
// A byteLength of -1 pads to the end of the area when a record would not fit there.
import type { RawRecord } from '../../trace/records';

const HEADER = 16;
const W = 0;
const R = 1;
const DROPPED = 2;
/** Bytes of a record before its text (the layout above, which record files share). */
export const RECORD_HEAD_BYTES = 44;
const PAD = -1;

export function createRingBuffer(dataBytes: number): SharedArrayBuffer {
  if (dataBytes & (dataBytes - 1)) throw new RangeError('ring size must be a power of two');
  return new SharedArrayBuffer(HEADER + dataBytes);
}

class RingView {
  protected readonly ctl: Uint32Array;
  protected readonly i32: Int32Array;
  protected readonly f64: Float64Array;
  protected readonly bytes: Buffer;
  protected readonly cap: number;

  constructor(sab: SharedArrayBuffer) {
    this.cap = sab.byteLength - HEADER;
    this.ctl = new Uint32Array(sab, 0, 4);
    this.i32 = new Int32Array(sab, HEADER);
    this.f64 = new Float64Array(sab, HEADER);
    this.bytes = Buffer.from(sab, HEADER);
  }
}

export class RingWriter extends RingView {
  /** Called when the ring is full; returns once the reader made room (or gave up). */
  constructor(
    sab: SharedArrayBuffer,
    private readonly waitForRoom: (ctl: Int32Array, seenRead: number) => void = blockingWait,
  ) {
    super(sab);
  }

  write(type: number, lane: number, ts: number, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, text?: string): void {
    const maxText = text === undefined ? 0 : text.length * 3;
    let size = (RECORD_HEAD_BYTES + maxText + 7) & ~7;
    if (size > this.cap / 2) {
      text = text!.slice(0, Math.floor((this.cap / 2 - RECORD_HEAD_BYTES) / 3) - 16) + '…';
      size = (RECORD_HEAD_BYTES + text.length * 3 + 7) & ~7;
    }
    let w = this.ctl[W];
    let pos = w & (this.cap - 1);
    const tail = this.cap - pos;
    const need = size > tail ? tail + size : size;
    if (!this.makeRoom(w, need)) {
      Atomics.add(this.ctl, DROPPED, 1);
      return;
    }
    if (size > tail) {
      this.i32[pos >> 2] = PAD;
      w = (w + tail) >>> 0;
      pos = 0;
    }
    const q = pos >> 2;
    this.i32[q + 1] = type | (lane << 16);
    this.f64[(pos >> 3) + 1] = ts;
    this.i32[q + 4] = a;
    this.i32[q + 5] = b;
    this.i32[q + 6] = c;
    this.i32[q + 7] = d;
    this.i32[q + 8] = e;
    this.i32[q + 9] = f;
    const textBytes = text ? this.bytes.write(text, pos + RECORD_HEAD_BYTES, 'utf8') : 0;
    this.i32[q + 10] = text === undefined ? -1 : textBytes;
    const used = (RECORD_HEAD_BYTES + textBytes + 7) & ~7;
    this.i32[q] = used;
    Atomics.store(this.ctl, W, (w + used) >>> 0);
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

function blockingWait(ctl: Int32Array, seenRead: number): void {
  Atomics.wait(ctl, R, seenRead | 0, 50);
}

export class RingReader extends RingView {
  /** One record object, refilled for each record: a drain of a million records allocates none. */
  private readonly rec: RawRecord = { type: 0, lane: 0, ts: 0, a: 0, b: 0, c: 0, d: 0, e: 0, f: 0, text: undefined };

  /** Records dropped because the ring stayed full (the reader fell far behind). */
  get dropped(): number {
    return Atomics.load(this.ctl, DROPPED);
  }

  /**
   * Reads the complete records written so far, at most `max` of them; returns how many it read.
   * The record passed is reused: copy what you keep.
   */
  drain(onRecord: (r: RawRecord) => void, max = Infinity): number {
    const w = Atomics.load(this.ctl, W);
    let r = this.ctl[R];
    let n = 0;
    while (r !== w && n < max) {
      const pos = r & (this.cap - 1);
      const q = pos >> 2;
      const len = this.i32[q];
      if (len === PAD) {
        r = (r + this.cap - pos) >>> 0;
        continue;
      }
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
      r = (r + len) >>> 0;
      n++;
    }
    Atomics.store(this.ctl, R, r);
    Atomics.notify(new Int32Array(this.ctl.buffer, this.ctl.byteOffset, 4), R);
    return n;
  }
}
