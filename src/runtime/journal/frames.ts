// Reads a journal's frames (format.ts): in order from the start, or one frame where an index
// (journalIndex.ts) says it lies. The file is read in pieces, so what a reader costs is what it
// builds, not the file's size.
import { readSync } from 'node:fs';
import { END_FRAME, FRAME_HEAD, JOURNAL_MAGIC, startsAsJournal } from './format';

const READ_BYTES = 4 << 20;
/** More sources than any run has: a frame naming one is not a frame. */
const MAX_SOURCES = 1 << 20;
/** More than a writer puts in one frame (a flush's worth plus one record): a longer one is not a frame. */
const MAX_FRAME_BYTES = 256 << 20;

export interface Frame {
  source: number;
  payload: Buffer;
  /** the payload's offset in the file */
  at: number;
}

/** Reads the frames of the open journal `fd` in order; stops at the first one the file does not hold whole. */
export function* framesOf(fd: number): Generator<Frame> {
  if (!startsAsJournal(fd)) throw new Error('not a poolscope run journal (its first bytes are not PSJOURN1)');
  let buf = Buffer.alloc(READ_BYTES);
  /** file offset of buf[0]; buf[pos, have) are file bytes not yet taken */
  let base = JOURNAL_MAGIC.length;
  let have = 0;
  let pos = 0;
  /** Makes buf hold `n` bytes from pos on; false if the file ends first. */
  const hold = (n: number): boolean => {
    while (have - pos < n) {
      const next = n > buf.length ? Buffer.alloc(Math.max(n, 2 * buf.length)) : buf;
      buf.copy(next, 0, pos, have);
      buf = next;
      base += pos;
      have -= pos;
      pos = 0;
      const got = readSync(fd, buf, have, buf.length - have, base + have);
      if (got === 0) return false;
      have += got;
    }
    return true;
  };
  while (hold(FRAME_HEAD)) {
    const source = buf.readInt32LE(pos);
    const bytes = buf.readInt32LE(pos + 4);
    if (source < END_FRAME || source >= MAX_SOURCES || bytes < 0 || bytes > MAX_FRAME_BYTES || bytes % 8 !== 0)
      throw new Error(`byte ${base + pos}: not a frame (source ${source}, ${bytes} bytes)`);
    if (!hold(FRAME_HEAD + bytes)) return;
    yield { source, payload: buf.subarray(pos + FRAME_HEAD, pos + FRAME_HEAD + bytes), at: base + pos + FRAME_HEAD };
    pos += FRAME_HEAD + bytes;
  }
}

/** Reads one frame's payload, `bytes` long at offset `at` of the open journal `fd`, into `into` when it is big enough. */
export function readFrame(fd: number, source: number, at: number, bytes: number, into: Buffer): Frame {
  const payload = bytes <= into.length ? into.subarray(0, bytes) : Buffer.alloc(bytes);
  for (let got = 0; got < bytes;) {
    const n = readSync(fd, payload, got, bytes - got, at + got);
    if (n === 0) throw new Error(`byte ${at + got}: the journal ends inside a frame its index names`);
    got += n;
  }
  return { source, payload, at };
}
