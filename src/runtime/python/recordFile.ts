// Reads a record file that a process of a Python run appends to, as it grows. The records have
// the layout of one event-ring record (../record/eventRing.ts); a record the process is still
// writing when we read is left for the next read.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { RawRecord } from '../../trace/records';
import { RECORD_HEAD_BYTES } from '../record/eventRing';

const READ_BYTES = 1 << 20;

export class RecordFile {
  /** This file's interned strings (STR records are per file). */
  readonly strings: string[] = [];
  private readonly fd: number;
  private offset = 0;
  private pending = Buffer.alloc(0);
  private readonly rec: RawRecord = { type: 0, lane: 0, ts: 0, a: 0, b: 0, c: 0, d: 0, e: 0, f: 0, text: undefined };

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  /**
   * Hands every complete record written since the last call to `onRecord`, at most about
   * `maxBytes` of them; returns whether more is waiting. The record passed is reused.
   */
  read(onRecord: (r: RawRecord) => void, maxBytes = Infinity): boolean {
    let budget = maxBytes;
    for (;;) {
      const size = fstatSync(this.fd).size;
      if (size <= this.offset) return false;
      if (budget <= 0) return true;
      const chunk = Buffer.allocUnsafe(Math.min(READ_BYTES, size - this.offset));
      const n = readSync(this.fd, chunk, 0, chunk.length, this.offset);
      if (n <= 0) return false;
      this.offset += n;
      budget -= n;
      const data = this.pending.length ? Buffer.concat([this.pending, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const used = this.decode(data, onRecord);
      this.pending = Buffer.from(data.subarray(used));
    }
  }

  private decode(data: Buffer, onRecord: (r: RawRecord) => void): number {
    const rec = this.rec;
    let pos = 0;
    while (data.length - pos >= RECORD_HEAD_BYTES) {
      const size = data.readInt32LE(pos);
      if (size < RECORD_HEAD_BYTES) throw new Error(`${this.path}: bad record length ${size} at byte ${this.offset - data.length + pos}`);
      if (data.length - pos < size) break;
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
      onRecord(rec);
      pos += size;
    }
    return pos;
  }

  close(): void {
    closeSync(this.fd);
  }
}
