// A record file that a process of a Python run appends to, read as it grows. Its records have
// the layout of one event-ring record (../record/eventRing.ts); a record still being written
// when we read is left for the next read. Nothing is ever dropped: the file keeps it all.
import { closeSync, openSync, readSync } from 'node:fs';
import type { RawRecord } from '../../trace/records';
import type { RecordSource } from '../host/recordDrain';
import { RECORD_HEAD_BYTES } from '../record/eventRing';

const READ_BYTES = 1 << 20;

export class RecordFile implements RecordSource {
  readonly dropped = 0;
  private readonly fd: number;
  /** bytes read from the file, consumed up to `pos` */
  private buf = Buffer.alloc(0);
  private pos = 0;
  private offset = 0;
  private readonly chunk = Buffer.allocUnsafe(READ_BYTES);
  private readonly rec: RawRecord = { type: 0, lane: 0, ts: 0, a: 0, b: 0, c: 0, d: 0, e: 0, f: 0, text: undefined };

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  drain(onRecord: (r: RawRecord) => void, max: number): number {
    let n = 0;
    while (n < max) {
      if (this.decode()) {
        onRecord(this.rec);
        n++;
      } else if (!this.fill()) break;
    }
    return n;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Decodes the record at `pos` into `rec` if it is complete. */
  private decode(): boolean {
    const data = this.buf;
    const pos = this.pos;
    if (data.length - pos < RECORD_HEAD_BYTES) return false;
    const size = data.readInt32LE(pos);
    if (size < RECORD_HEAD_BYTES || size % 8 !== 0) throw new Error(`${this.path}: bad record length ${size} at byte ${this.offset - data.length + pos}`);
    if (data.length - pos < size) return false;
    const rec = this.rec;
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
    rec.text = textBytes < 0 ? undefined : data.toString('utf8', pos + RECORD_HEAD_BYTES, pos + RECORD_HEAD_BYTES + textBytes);
    this.pos = pos + size;
    return true;
  }

  /** Reads what the file gained since; false if nothing. */
  private fill(): boolean {
    const n = readSync(this.fd, this.chunk, 0, READ_BYTES, this.offset);
    if (n <= 0) return false;
    this.offset += n;
    this.buf = Buffer.concat([this.buf.subarray(this.pos), this.chunk.subarray(0, n)]);
    this.pos = 0;
    return true;
  }
}
