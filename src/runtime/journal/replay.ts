// Rebuilds a run from its journal (format.ts) through the same TraceBuilder the live run used,
// each source with its own string table. What it costs is the store it builds, not the file's
// size. A journal whose host was killed ends without its END frame, or inside a frame: what it
// holds whole is the run until then. With the journal's index (journalIndex.ts), a replay that
// keeps some tasks reads only the frames that can hold them and counts the others from the index.
// A replay goes in steps, so a host with an event loop to keep (the editor's) can spread it over turns.
import { closeSync, openSync } from 'node:fs';
import { TraceBuilder, type StringTable } from '../../trace/builder';
import type { RawRecord } from '../../trace/records';
import { KEEP_ALL, type KeepPolicy } from '../../trace/notKept';
import { TraceStore } from '../../trace/store';
import { readRecord } from '../record/eventRing';
import { END_FRAME, HEAD_FRAME, type JournalEnd, type JournalHead } from './format';
import { framesOf, readFrame, type Frame } from './frames';
import { framesToRead, runSteps, tasksInWindowSteps, type FrameEntry, type JournalIndex } from './journalIndex';

/** Records between pauses of a stepped replay. */
const RECORDS_A_STEP = 4096;

export interface Replay {
  store: TraceStore;
  head: JournalHead;
  /** how the run ended; undefined: the journal stops before the run's end (its host was killed) */
  end?: JournalEnd;
  /** records decoded */
  records: number;
}

/** The journal's frames in order: all read, or, with an index, read where they must be and counted from the index where not. */
function* framesFor(fd: number, index: JournalIndex | undefined, keep: KeepPolicy): Generator<Frame | FrameEntry> {
  if (!index) {
    yield* framesOf(fd);
    return;
  }
  const read = framesToRead(index, keep);
  const buf = Buffer.alloc(4 << 20);
  for (const f of index.frames) yield read(f) ? readFrame(fd, f.source, f.at, f.bytes, buf) : f;
}

/**
 * Replays the journal at `path` into a new store, keeping the tasks `keep` lets it keep (all of a
 * run within the span budget by default); the others are counted (store.notKept). Pauses (a bare
 * yield) every RECORDS_A_STEP records.
 */
export function* replaySteps(path: string, keep: KeepPolicy = KEEP_ALL, why?: string, index?: JournalIndex): Generator<void, Replay> {
  let head: JournalHead | undefined;
  let end: JournalEnd | undefined;
  let built: { store: TraceStore; builder: TraceBuilder } | undefined;
  const open = (head: JournalHead) => {
    const store = new TraceStore({ file: head.file, startedAt: head.startedAt, ...(head.language ? { language: head.language } : {}) });
    if (why) store.notKept.reason = why;
    return { store, builder: new TraceBuilder(store, head.origin, keep) };
  };
  const strings = new Map<number, StringTable>();
  const rec: RawRecord = { type: 0, lane: 0, ts: 0, a: 0, b: 0, c: 0, d: 0, e: 0, f: 0, text: undefined };
  let records = 0;
  const fd = openSync(path, 'r');
  try {
    for (const frame of framesFor(fd, index, keep)) {
      if (!('payload' in frame)) {
        // A frame of tasks the store would not keep (past its span budget, or outside the range
        // asked for): counted from the index.
        built ??= open(head!);
        const { notKept } = built.store;
        notKept.counted(frame, head!.origin);
        if (!keep.only && frame.taskMin >= keep.taskFrom + keep.maxSpans && frame.taskMax < keep.taskTo) notKept.byBudgetOf(keep.maxSpans);
        built.store.touch(frame.tMax - head!.origin);
        continue;
      }
      const { source, payload, at } = frame;
      if (source === HEAD_FRAME) {
        head = JSON.parse(payload.toString('utf8')) as JournalHead;
        continue;
      }
      if (!head) throw new Error(`byte ${at}: records before the run's head`);
      if (source === END_FRAME) {
        end = JSON.parse(payload.toString('utf8')) as JournalEnd;
        continue;
      }
      built ??= open(head);
      let table = strings.get(source);
      if (!table) strings.set(source, (table = []));
      for (let pos = 0; pos < payload.length;) {
        const size = readRecord(payload, pos, rec, () => `byte ${at + pos}`);
        if (size === 0) throw new Error(`byte ${at + pos}: a record cut short inside its frame`);
        pos += size;
        built.builder.consume(rec, table);
        if (++records % RECORDS_A_STEP === 0) yield;
      }
    }
  } finally {
    closeSync(fd);
  }
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

/** Replays the journal at `path` at once (see replaySteps). */
export function replayJournal(path: string, keep?: KeepPolicy, why?: string, index?: JournalIndex): Replay {
  return runSteps(replaySteps(path, keep, why, index));
}

const ms = (us: number) => (us / 1000).toFixed(us < 10e6 ? 3 : 1);

/**
 * Replays the tasks of the indexed journal that ran in [fromUs, toUs] (µs from the run's origin;
 * clamped to the run), at most `maxSpans` spans of them; the others are counted, and the store
 * says which window it holds (notKept.window).
 */
export function* windowSteps(index: JournalIndex, fromUs: number, toUs: number, maxSpans: number, maxLines?: number): Generator<void, Replay> {
  const from = Math.max(0, fromUs);
  const to = Math.max(from, index.end ? Math.min(toUs, index.end.endUs - index.head.origin) : toUs);
  const { ran, ...tasks } = yield* tasksInWindowSteps(index, from, to, maxSpans);
  const replay = yield* replaySteps(index.path, { maxSpans, ...tasks, ...(maxLines === undefined ? {} : { maxLines }) }, `outside ${ms(from)}–${ms(to)} ms`, index);
  const { notKept } = replay.store;
  notKept.window = { from, to, complete: ran <= maxSpans, runTasks: index.tasks };
  return replay;
}
