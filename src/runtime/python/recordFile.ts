// A record file that a process of a Python run writes, read as it grows. Its records have the
// layout of one event-ring record (../record/eventRing.ts), one after another, each ending with
// the adler32 of its bytes before those last 4 (python/poolscope_tracer/records.py). The writer
// maps the file into memory and extends it with zeros ahead of its records, and copies each
// record in at once, so the bytes this host reads may hold the last of them half copied: a zero
// byteLength or a check that does not match yet is where the records written so far end. Reading
// stops there and comes back to the same place next time. Nothing is dropped: the file keeps it all.
import { closeSync, openSync, readSync } from 'node:fs';
import { buf as adler32 } from 'adler-32';
import type { RawRecord } from '../../trace/records';
import type { RecordSource } from '../host/recordDrain';
import { readRecord } from '../record/eventRing';

/**
 * Bytes read at a time: a little past what the writer has written since the last look, at the
 * least. Most looks find a few records ahead of a long run of zeros, and a read copies the zeros
 * too (a 1 MB read per look cost the host more than the records it found, on the cores the
 * program runs on); a read that comes back full of records doubles the next one.
 */
const MIN_READ = 64 << 10;
const MAX_READ = 1 << 20;
/** The check that ends each record. */
const CHECK_BYTES = 4;

export class RecordFile implements RecordSource {
  readonly dropped = 0;
  private readonly fd: number;
  /** bytes read from the file, from file offset `base`, decoded up to `pos` */
  private buf = Buffer.alloc(0);
  /** where reads go, reused: a fresh buffer per read was garbage at every look */
  private space = Buffer.allocUnsafe(MIN_READ);
  private readSize = MIN_READ;
  private base = 0;
  private pos = 0;
  private readonly peek = Buffer.alloc(4);
  private readonly rec: RawRecord = { type: 0, lane: 0, ts: 0, a: 0, b: 0, c: 0, d: 0, e: 0, f: 0, text: undefined };

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  drain(onRecord: (r: RawRecord) => void, max: number): number {
    let n = 0;
    // A record still undecodable right after a fresh read is still being written: next look.
    let fresh = false;
    while (n < max) {
      if (this.decode()) {
        onRecord(this.rec);
        n++;
        fresh = false;
      } else if (fresh || !this.fill()) break;
      else fresh = true;
    }
    return n;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Decodes the record at `pos` into `rec` if the bytes read hold all of it, copied in whole. */
  private decode(): boolean {
    const { buf, pos } = this;
    const size = readRecord(buf, pos, this.rec, () => `${this.path} at byte ${this.base + pos}`);
    if (size === 0 || adler32(buf.subarray(pos, pos + size - CHECK_BYTES)) !== buf.readInt32LE(pos + size - CHECK_BYTES)) return false;
    this.pos += size;
    return true;
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
    // The last read came back full and mostly records: the writer is further ahead than one read.
    if (this.buf.length === this.readSize && this.pos > this.readSize / 2) this.readSize = Math.min(this.readSize * 2, MAX_READ);
    else this.readSize = MIN_READ;
    const want = Math.max(this.readSize, size);
    if (this.space.length < want) this.space = Buffer.allocUnsafe(want);
    const n = readSync(this.fd, this.space, 0, want, at);
    this.buf = this.space.subarray(0, n);
    this.base = at;
    this.pos = 0;
    return n >= size;
  }
}
