// Writes a run's journal (format.ts) while the run goes on. The host hands it every record it
// reads, as the ring held it (a copy, not a re-encoding) where the source can, and flushes once
// per reading of its sources: one write of whole frames, from the host's thread, off the user's
// threads' path.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { RawRecord } from '../../trace/records';
import { RecordBuffer } from '../record/eventRing';
import { END_FRAME, FRAME_HEAD, HEAD_FRAME, JOURNAL_MAGIC, type JournalEnd, type JournalHead } from './format';

/** Past this many bytes waiting, the journal writes them at once rather than at the end of the reading. */
const FLUSH_BYTES = 4 << 20;

export class JournalWriter {
  private fd: number;
  private readonly buf = new RecordBuffer(1 << 20);
  /** the source of the frame being filled (-3: none) and where its head is in buf */
  private frameSource = -3;
  private frameHead = 0;
  /** bytes written to the file so far */
  written = 0;

  constructor(
    readonly path: string,
    head: JournalHead,
  ) {
    this.fd = openSync(path, 'w');
    this.put(JOURNAL_MAGIC, 0, JOURNAL_MAGIC.length);
    this.json(HEAD_FRAME, head);
    this.flush();
  }

  /** Records of source `source`, encoded as a ring holds them: bytes [start, end) of `data`. */
  bytes(source: number, data: Uint8Array, start: number, end: number): void {
    this.frameFor(source);
    this.put(data, start, end);
  }

  /** One record of source `source`, encoded here (a source that cannot hand over its bytes). */
  record(source: number, r: RawRecord): void {
    this.frameFor(source);
    this.buf.write(r.type, r.lane, r.ts, r.a, r.b, r.c, r.d, r.e, r.f, r.text);
    if (this.buf.length >= FLUSH_BYTES) this.flush();
  }

  /** Writes the frames so far in one write. */
  flush(): void {
    this.closeFrame();
    const buf = this.buf;
    for (let at = 0; at < buf.length;) at += writeSync(this.fd, buf.bytes, at, buf.length - at);
    this.written += buf.length;
    buf.clear();
  }

  /** The run ended: says how, and closes the file. */
  end(info: JournalEnd): void {
    this.json(END_FRAME, info);
    this.close();
  }

  /** Closes the file; what was handed in is written first. */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }

  private json(source: number, value: unknown): void {
    const text = Buffer.from(JSON.stringify(value), 'utf8');
    this.frameFor(source);
    this.put(text, 0, text.length);
    const pad = -text.length & 7;
    this.put(Buffer.alloc(pad, ' '), 0, pad);
    this.closeFrame();
  }

  private put(data: Uint8Array, start: number, end: number): void {
    const at = this.buf.reserve(end - start);
    this.buf.bytes.set(data.subarray(start, end), at);
    this.buf.length += end - start;
    if (this.buf.length >= FLUSH_BYTES && this.frameSource >= 0) this.flush();
  }

  private frameFor(source: number): void {
    if (source === this.frameSource) return;
    this.closeFrame();
    const at = this.buf.reserve(FRAME_HEAD);
    this.buf.i32[at >> 2] = source;
    this.buf.length += FRAME_HEAD;
    this.frameHead = at;
    this.frameSource = source;
  }

  private closeFrame(): void {
    if (this.frameSource === -3) return;
    const bytes = this.buf.length - this.frameHead - FRAME_HEAD;
    // A frame with nothing in it is taken back.
    if (bytes === 0) this.buf.length = this.frameHead;
    else this.buf.i32[(this.frameHead >> 2) + 1] = bytes;
    this.frameSource = -3;
  }
}
