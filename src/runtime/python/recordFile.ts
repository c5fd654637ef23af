// A record file that a process of a Python run writes, read as it grows. Its records have the
// layout of one event-ring record (../record/eventRing.ts), one after another. The writer maps
// the file into memory and extends it with zeros ahead of its records; it writes a record's
// byteLength last, so a zero byteLength is where the records written so far end: reading stops
// there and comes back to the same place next time. Nothing is dropped: the file keeps it all.
import { closeSync, openSync, readSync } from 'node:fs';
import type { RawRecord } from '../../trace/records';
import type { RecordSource } from '../host/recordDrain';
import { readRecord } from '../record/eventRing';

const READ_BYTES = 1 << 20;

export class RecordFile implements RecordSource {
  readonly dropped = 0;
  private readonly fd: number;
  /** bytes read from the file, from file offset `base`, decoded up to `pos` */
  private buf = Buffer.alloc(0);
  private base = 0;
  private pos = 0;
  private readonly peek = Buffer.alloc(4);
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

  /** Decodes the record at `pos` into `rec` if the bytes read hold all of it. */
  private decode(): boolean {
    const size = readRecord(this.buf, this.pos, this.rec, () => `${this.path} at byte ${this.base + this.pos}`);
    this.pos += size;
    return size > 0;
  }

  /**
   * Reads the file again from the next record on (what lay past it may have been zeros the writer
   * has filled in since); false if that record is not written yet.
   */
  private fill(): boolean {
    const at = this.base + this.pos;
    if (readSync(this.fd, this.peek, 0, 4, at) < 4) return false;
    const size = this.peek.readInt32LE(0);
    if (size === 0) return false;
    const buf = Buffer.allocUnsafe(Math.max(READ_BYTES, size));
    const n = readSync(this.fd, buf, 0, buf.length, at);
    this.buf = buf.subarray(0, n);
    this.base = at;
    this.pos = 0;
    return n >= size;
  }
}
