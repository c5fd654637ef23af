// Rebuilds a run from its journal (format.ts) through the same TraceBuilder the live run used,
// each source with its own string table. The file is read in pieces, so what it costs is the
// store it builds, not the file's size. A journal whose host was killed ends without its END
// frame, or inside a frame: what it holds whole is the run until then.
import { closeSync, openSync, readSync } from 'node:fs';
import { TraceBuilder, type StringTable } from '../../trace/builder';
import { Rec, type RawRecord } from '../../trace/records';
import type { KeepPolicy } from '../../trace/notKept';
import { TraceStore } from '../../trace/store';
import { RECORD_HEAD_BYTES, readRecord } from '../record/eventRing';
import { END_FRAME, FRAME_HEAD, HEAD_FRAME, JOURNAL_MAGIC, startsAsJournal, type JournalEnd, type JournalHead } from './format';

const READ_BYTES = 4 << 20;
/** More sources than any run has: a frame naming one is not a frame. */
const MAX_SOURCES = 1 << 20;
/** More than a writer puts in one frame (a flush's worth plus one record): a longer one is not a frame. */
const MAX_FRAME_BYTES = 256 << 20;

export interface Replay {
  store: TraceStore;
  head: JournalHead;
  /** how the run ended; undefined: the journal stops before the run's end (its host was killed) */
  end?: JournalEnd;
  records: number;
}

/** Reads the frames of the journal at `path` in order. */
function* frames(path: string): Generator<{ source: number; payload: Buffer; at: number }> {
  const fd = openSync(path, 'r');
  try {
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
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls `each` with every whole record of the journal at `path` (of the types `only` names, if
 * given: the others are skipped undecoded), and its source; returns the head and end.
 */
function forEachRecord(path: string, each: (r: RawRecord, source: number, head: JournalHead) => void, only?: ReadonlySet<number>): { head?: JournalHead; end?: JournalEnd } {
  let head: JournalHead | undefined;
  let end: JournalEnd | undefined;
  const rec: RawRecord = { type: 0, lane: 0, ts: 0, a: 0, b: 0, c: 0, d: 0, e: 0, f: 0, text: undefined };
  for (const { source, payload, at } of frames(path)) {
    if (source === HEAD_FRAME) {
      head = JSON.parse(payload.toString('utf8')) as JournalHead;
      continue;
    }
    if (!head) throw new Error(`byte ${at}: records before the run's head`);
    if (source === END_FRAME) {
      end = JSON.parse(payload.toString('utf8')) as JournalEnd;
      continue;
    }
    for (let pos = 0; pos < payload.length;) {
      if (only && payload.length - pos >= RECORD_HEAD_BYTES && !only.has(payload.readUInt16LE(pos + 4))) {
        const size = payload.readInt32LE(pos);
        if (size >= RECORD_HEAD_BYTES && size % 8 === 0) {
          pos += size;
          continue;
        }
      }
      const size = readRecord(payload, pos, rec, () => `byte ${at + pos}`);
      if (size === 0) throw new Error(`byte ${at + pos}: a record cut short inside its frame`);
      pos += size;
      each(rec, source, head);
    }
  }
  return { head, end };
}

/**
 * The range of task ids that ran in [fromUs, toUs] (µs from the run's origin): those that
 * started in it, and those that started before and ended in it or after it. Tasks run in the
 * order of their ids closely enough that the range holds few others.
 */
export function tasksInWindow(path: string, fromUs: number, toUs: number): { taskFrom: number; taskTo: number } {
  let lo = Infinity;
  let hi = 0;
  /** by lane: the last task started there, and when */
  const started = new Map<number, { task: number; t: number }>();
  const take = (task: number) => {
    lo = Math.min(lo, task);
    hi = Math.max(hi, task);
  };
  forEachRecord(
    path,
    (r, _source, head) => {
      const t = r.ts - head.origin;
      if (r.type === Rec.TASK_START) {
        if (t <= toUs) started.set(r.lane, { task: r.a, t });
        if (t >= fromUs && t <= toUs) take(r.a);
      } else if (t >= fromUs && started.get(r.lane)?.task === r.a) take(r.a);
    },
    new Set([Rec.TASK_START, Rec.TASK_END]),
  );
  return hi === 0 ? { taskFrom: 1, taskTo: 1 } : { taskFrom: lo, taskTo: hi + 1 };
}

/**
 * Replays the journal at `path` into a new store, keeping the tasks `keep` lets it keep (all of a
 * run within the span budget by default); the others are counted (store.notKept).
 */
export function replayJournal(path: string, keep?: KeepPolicy, why?: string): Replay {
  const open = (head: JournalHead) => {
    const store = new TraceStore({ file: head.file, startedAt: head.startedAt, ...(head.language ? { language: head.language } : {}) });
    if (why) store.notKept.reason = why;
    return { store, builder: new TraceBuilder(store, head.origin, keep) };
  };
  let built: ReturnType<typeof open> | undefined;
  const strings = new Map<number, StringTable>();
  let records = 0;
  const { head, end } = forEachRecord(path, (r, source, head) => {
    built ??= open(head);
    let table = strings.get(source);
    if (!table) strings.set(source, (table = []));
    records++;
    built.builder.consume(r, table);
  });
  if (!head) throw new Error('the journal ends before its head: the run wrote nothing');
  const { store, builder } = built ?? open(head);
  if (end) {
    builder.finish(end.endUs);
    store.meta.outcome = end.outcome;
    if (end.error !== undefined) store.meta.error = end.error;
    if (end.deadlock) store.meta.deadlock = end.deadlock;
    if (end.stoppedAt) store.meta.stoppedAt = end.stoppedAt;
  } else {
    builder.finish(head.origin + store.end);
    store.meta.outcome = 'stopped';
  }
  return { store, head, end, records };
}
