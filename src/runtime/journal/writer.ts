// Writes a run's journal (format.ts) while the run goes on. The host hands it every record it
// reads, as the ring held it (a copy, not a re-encoding) where the source can, and flushes once
// per reading of its sources: one write of whole frames, off the user's threads' path. The CLI
// writes from the host's thread, so a killed CLI leaves every flushed record on disk; a host whose
// loop serves others (the editor's) writes in the background (libuv's pool), in order, so its loop
// never waits on the disk: writing 200 MB in a few seconds runs into the kernel's throttling of
// dirty pages, which held the editor's loop for 50-100 ms at a time.
import { close, closeSync, openSync, write, writeSync } from 'node:fs';
import type { RawRecord } from '../../trace/records';
import { RecordBuffer } from '../record/eventRing';
import { END_FRAME, FRAME_HEAD, HEAD_FRAME, JOURNAL_MAGIC, type JournalEnd, type JournalHead } from './format';

/** Past this many bytes waiting, the journal writes them at once rather than at the end of the reading. */
const FLUSH_BYTES = 1 << 20;
/** A buffer holds a flush's worth and the record that passes it, without growing (a record's text is cut at MAX_BUFFERED_TEXT). */
const BUFFER_BYTES = 2 << 20;
/**
 * Background buffers waiting at most (64 MB): a disk further behind than that makes the host
 * write the next one itself, waiting for the disk, rather than hold the run's records in memory.
 */
const MAX_QUEUED = 32;

export class JournalWriter {
  private fd: number;
  private buf = new RecordBuffer(BUFFER_BYTES);
  /** the source of the frame being filled (-3: none) and where its head is in buf */
  private frameSource = -3;
  private frameHead = 0;
  /** bytes handed to the file (written or queued): where the next flush goes */
  private handed = 0;
  /**
   * Background writes: the flushed buffers not written yet, oldest first, whether one is under
   * way, and buffers written and free again (a buffer goes to the queue as it is and a free one
   * takes its place: the journal of a big run allocates no new buffer for each flush).
   */
  private queued: { buf: RecordBuffer; position: number }[] = [];
  private readonly free: RecordBuffer[] = [];
  private writing = false;
  private closing = false;
  private whenClosed!: () => void;
  /** Settles once the file is closed with every byte handed in written (or a write failed: `failed` says why). */
  readonly closed = new Promise<void>((resolve) => (this.whenClosed = resolve));
  /** Why the journal stopped short of the run's end (a full disk), and where: the run itself goes on. */
  failed: string | undefined;

  constructor(
    readonly path: string,
    head: JournalHead,
    /** write from libuv's pool rather than the host's thread */
    private readonly background = false,
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

  /** Writes the frames so far in one write (queues it, in the background). */
  flush(): void {
    this.closeFrame();
    const buf = this.buf;
    // A journal closed (or ended by a failed write) takes nothing more.
    if (this.fd < 0) buf.clear();
    if (buf.length === 0) return;
    const position = this.handed;
    this.handed += buf.length;
    // Each buffer goes to its own place in the file, so a write in the background and one from
    // here may land in either order.
    if (this.background && this.queued.length < MAX_QUEUED) {
      this.queued.push({ buf, position });
      this.buf = this.free.pop() ?? new RecordBuffer(BUFFER_BYTES);
      this.pump();
      return;
    }
    let at = 0;
    try {
      while (at < buf.length) at += writeSync(this.fd, buf.bytes, at, buf.length - at, position + at);
    } catch (e) {
      this.fail(e as Error, position + at);
    }
    buf.clear();
  }

  /** A disk that fills up (or goes away) ends the journal, not the run: the file keeps what was written. */
  private fail(e: Error, position: number): void {
    this.failed = `stopped at byte ${position}: ${e.message}`;
    this.queued = [];
    this.writing = false;
    this.closeFile();
  }

  /** Starts the next background write; closes the file once the last is done after close(). */
  private pump(): void {
    if (this.writing || this.fd < 0) return;
    const next = this.queued.shift();
    if (!next) {
      if (this.closing) this.closeFile();
      return;
    }
    this.writing = true;
    const { buf, position } = next;
    const from = (at: number) =>
      write(this.fd, buf.bytes, at, buf.length - at, position + at, (e, n) => {
        if (e) return this.fail(e, position + at);
        if (at + n < buf.length) return from(at + n);
        buf.clear();
        this.free.push(buf);
        this.writing = false;
        this.pump();
      });
    from(0);
  }

  private closeFile(): void {
    const fd = this.fd;
    this.fd = -1;
    if (fd < 0) return;
    if (this.background) close(fd, () => this.whenClosed());
    else {
      closeSync(fd);
      this.whenClosed();
    }
  }

  /** The run ended: says how, and closes the file. */
  end(info: JournalEnd): void {
    this.json(END_FRAME, info);
    this.close();
  }

  /** Closes the file once what was handed in is written (`closed` says when). */
  close(): void {
    if (this.fd < 0 || this.closing) return;
    this.flush();
    this.closing = true;
    if (!this.background) this.closeFile();
    else this.pump();
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
