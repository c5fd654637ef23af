// What every thread of a run does first: record into its ring, stamp printed lines with
// their lane and time instead of letting them through, and map stack traces to sources.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { Rec } from '../../trace/records';
import { installRecorder, recorder } from './recorder';
import { RingWriter, type RecordSink } from './eventRing';
import { currentLane, setThreadLane } from './lanes';

export interface ThreadConfig {
  ring?: SharedArrayBuffer;
  /** where records go instead of a ring (a child process's outgoing buffer) */
  sink?: RecordSink;
  /** false: scheduled as it is (a child process inherits the lowered priority of the thread that started it) */
  lowerPriority?: boolean;
  lane: number;
  laneName: string;
  /** false: keep logs and lifecycle, skip per-task records (tracing off) */
  traceTasks: boolean;
}

const partial = ['', '', ''];

/** How much lower than the host's the run's threads are scheduled (Linux nice steps). */
const USER_CODE_NICENESS = 10;

/**
 * User code runs a little below the host, so a pool of busy workers cannot starve the
 * editor's extension host (or the CLI reading the trace). On Linux a thread has its own
 * nice value; elsewhere this does nothing.
 */
function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid)) setPriority(tid, Math.min(19, getPriority(tid) + USER_CODE_NICENESS));
  } catch {
    // Not Linux, or not allowed: the run goes on at normal priority.
  }
}

export function setupThread(cfg: ThreadConfig): void {
  if (cfg.lowerPriority !== false) lowerThreadPriority();
  process.setSourceMapsEnabled(true);
  setThreadLane(cfg.lane, cfg.laneName);
  const sink = cfg.sink ?? (cfg.ring && new RingWriter(cfg.ring));
  installRecorder(sink, cfg.traceTasks);
  if (!sink) return;
  captureStream(process.stdout, 1);
  captureStream(process.stderr, 2);
}

function captureStream(stream: NodeJS.WriteStream, code: 1 | 2): void {
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown) => {
    const text = partial[code] + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const lines = text.split('\n');
    partial[code] = lines.pop()!;
    const lane = currentLane();
    for (const line of lines) recorder().rec(Rec.LOG, lane, code, 0, 0, 0, 0, 0, line);
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') queueMicrotask(() => done());
    return true;
  }) as typeof stream.write;
}

/** Records a line still missing its newline, before the thread ends. */
export function flushPartialLines(): void {
  for (const code of [1, 2] as const) {
    if (partial[code]) recorder().rec(Rec.LOG, currentLane(), code, 0, 0, 0, 0, 0, partial[code]);
    partial[code] = '';
  }
}
