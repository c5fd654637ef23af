// An index of a journal's frames, built in one pass that reads only the records' heads: where
// each frame lies, when its records happened, which tasks and jobs it names, and what the tasks
// it holds add to their lanes' figures. With it a replay of one window of a run reads only the
// frames that can hold what the window keeps, and counts the others from the index
// (replay.ts), where a replay without it decodes every record of the file.
import { closeSync, openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Rec, TaskStatus } from '../../trace/records';
import type { CountedTasks, KeepPolicy } from '../../trace/notKept';
import { RECORD_HEAD_BYTES } from '../record/eventRing';
import { END_FRAME, HEAD_FRAME, type JournalEnd, type JournalHead } from './format';
import { framesOf, readFrame } from './frames';

/** runLane's values when a frame holds no task start or end, or holds them on several lanes. */
const NO_LANE = -1;
const LANES = -2;

/**
 * One frame. Times are on the run's shared clock (µs), like the records'. As CountedTasks, what
 * its records add to the figures of tasks not kept (NotKept), on runLane (NO_LANE, LANES: the
 * lane its task starts and ends are on), and the task running there after it.
 */
export interface FrameEntry extends CountedTasks {
  source: number;
  /** the payload's offset in the file, and its length */
  at: number;
  bytes: number;
  tMin: number;
  tMax: number;
  /**
   * Whether it holds records a replay must always read: strings, lanes, pools, waits, printed
   * lines, deaths..., anything not about one task or one job, and the head and end frames.
   */
  other: boolean;
  /** the ids of the tasks and of the jobs its records name (0 and -1: none) */
  taskMin: number;
  taskMax: number;
  jobMin: number;
  jobMax: number;
  /** the ids of the waits on a job it names (their starts, ends, and the readiness that ends them) */
  waitMin: number;
  waitMax: number;
  /** the ids its task starts and ends name, and the time they span */
  runMin: number;
  runMax: number;
  runTMin: number;
  runTMax: number;
}

export interface JournalIndex {
  path: string;
  head: JournalHead;
  end?: JournalEnd;
  frames: FrameEntry[];
  /** the highest task id the run issued: task ids count up from 1 */
  tasks: number;
}

const TASK_KEYED = new Set<number>([Rec.TASK_JOB, Rec.TASK_SUBMIT, Rec.TASK_START, Rec.TASK_END, Rec.TASK_DROP]);

function entry(source: number, at: number, bytes: number): FrameEntry {
  return {
    source,
    at,
    bytes,
    tMin: Infinity,
    tMax: -Infinity,
    other: source < 0,
    taskMin: 0,
    taskMax: -1,
    jobMin: 0,
    jobMax: -1,
    waitMin: 0,
    waitMax: -1,
    runLane: NO_LANE,
    runMin: 0,
    runMax: -1,
    runTMin: Infinity,
    runTMax: -Infinity,
    openTask: 0,
    openStart: 0,
    issued: 0,
    issueMin: 0,
    issueMinTs: 0,
    ends: 0,
    failed: 0,
    lost: 0,
    busy: 0,
    dropped: 0,
  };
}

const widen = (f: FrameEntry, key: 'task' | 'job' | 'wait' | 'run', id: number) => {
  const min = `${key}Min` as const,
    max = `${key}Max` as const;
  if (f[max] < f[min]) f[min] = f[max] = id;
  else if (id < f[min]) f[min] = id;
  else if (id > f[max]) f[max] = id;
};

/** Builds the index of the journal at `path`, pausing (a bare yield) after each frame (4 MB at most). */
export function* indexSteps(path: string): Generator<void, JournalIndex> {
  const frames: FrameEntry[] = [];
  let head: JournalHead | undefined;
  let end: JournalEnd | undefined;
  let tasks = 0;
  /** by lane: the task running there and when it started, as a replay's NotKept follows it */
  const runningTask: number[] = [];
  const runningSince: number[] = [];
  const fd = openSync(path, 'r');
  try {
    for (const { source, payload, at } of framesOf(fd)) {
      const f = entry(source, at, payload.length);
      frames.push(f);
      yield;
      if (source === HEAD_FRAME) head = JSON.parse(payload.toString('utf8')) as JournalHead;
      else if (!head) throw new Error(`byte ${at}: records before the run's head`);
      if (source === END_FRAME) end = JSON.parse(payload.toString('utf8')) as JournalEnd;
      if (source < 0) continue;
      eachRecordHead(payload, at, (type, lane, ts, pos) => {
        const a = payload.readInt32LE(pos + 16);
        const b = payload.readInt32LE(pos + 20);
        if (ts < f.tMin) f.tMin = ts;
        if (ts > f.tMax) f.tMax = ts;
        if (!TASK_KEYED.has(type)) {
          const d = payload.readInt32LE(pos + 28);
          if (type === Rec.RESULT_IN || type === Rec.RETRIEVED) widen(f, 'job', a);
          else if (type === Rec.JOB_READY) {
            widen(f, 'job', a);
            if (d > 0) widen(f, 'wait', d);
          } else if (type === Rec.WAIT_START && d > 0) {
            widen(f, 'job', d);
            widen(f, 'wait', a);
          } else if (type === Rec.WAIT_END) widen(f, 'wait', a);
          // Strings, lanes, pools, waits on no job, printed lines, deaths...
          else f.other = true;
          return;
        }
        const task = type === Rec.TASK_JOB ? b : a;
        widen(f, 'task', task);
        if (task > tasks) tasks = task;
        switch (type) {
          case Rec.TASK_JOB:
          case Rec.TASK_SUBMIT:
            widen(f, 'job', type === Rec.TASK_JOB ? a : b);
            if (f.issued++ === 0 || task < f.issueMin) {
              f.issueMin = task;
              f.issueMinTs = ts;
            }
            break;
          case Rec.TASK_DROP:
            f.dropped++;
            break;
          case Rec.TASK_START:
          case Rec.TASK_END: {
            f.runLane = f.runLane === NO_LANE || f.runLane === lane ? lane : LANES;
            widen(f, 'run', task);
            if (ts < f.runTMin) f.runTMin = ts;
            if (ts > f.runTMax) f.runTMax = ts;
            if (type === Rec.TASK_START) {
              runningTask[lane] = task;
              runningSince[lane] = ts;
              break;
            }
            const job = payload.readInt32LE(pos + 24);
            if (job > 0) widen(f, 'job', job);
            f.ends++;
            if (b === TaskStatus.lost) f.lost++;
            else if (b !== TaskStatus.ok) f.failed++;
            if (runningTask[lane] > 0) f.busy += Math.max(0, ts - runningSince[lane]);
            runningTask[lane] = 0;
            break;
          }
        }
      });
      // Task starts and ends on several lanes (a death seen by another thread): the counts of
      // such a frame could not go to one lane, so it is always read.
      if (f.runLane === LANES) f.other = true;
      else if (f.runLane >= 0 && runningTask[f.runLane] > 0) {
        f.openTask = runningTask[f.runLane];
        f.openStart = runningSince[f.runLane];
      }
    }
  } finally {
    closeSync(fd);
  }
  if (!head) throw new Error('the journal ends before its head: the run wrote nothing');
  return { path, head, end, frames, tasks };
}

/**
 * Calls `visit` with the head of each record of a frame's payload: its type, lane, time and offset
 * in the payload (the fields after them are read from there). `at`: the payload's offset in the
 * file, for the error a bad record length throws.
 */
function eachRecordHead(payload: Buffer, at: number, visit: (type: number, lane: number, ts: number, pos: number) => void): void {
  for (let pos = 0; pos + RECORD_HEAD_BYTES <= payload.length;) {
    const size = payload.readInt32LE(pos);
    if (size < RECORD_HEAD_BYTES || size % 8 !== 0 || pos + size > payload.length) throw new Error(`byte ${at + pos}: bad record length ${size}`);
    const typeLane = payload.readInt32LE(pos + 4);
    visit(typeLane & 0xffff, typeLane >>> 16, payload.readDoubleLE(pos + 8), pos);
    pos += size;
  }
}

/** Runs a stepped computation to its end at once. */
export function runSteps<T>(steps: Generator<void, T>): T {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/**
 * Runs a stepped computation over turns of the event loop: steps for about `sliceMs`, then lets
 * everything else waiting run, so a long replay holds a host that serves others (the editor's)
 * for no more than a slice at a time.
 */
export async function runStepsSliced<T>(steps: Generator<void, T>, sliceMs = 8): Promise<T> {
  for (;;) {
    const until = performance.now() + sliceMs;
    for (;;) {
      const s = steps.next();
      if (s.done) return s.value;
      if (performance.now() >= until) break;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export function indexJournal(path: string): JournalIndex {
  return runSteps(indexSteps(path));
}

/** The tasks that ran in a window, as a policy keeps them: the ids, and the range they lie in. */
export interface WindowTasks {
  taskFrom: number;
  taskTo: number;
  only: ReadonlySet<number>;
  /** how many tasks ran in the window: more than `only` holds when they were more than asked for */
  ran: number;
}

/**
 * The tasks that ran in [fromUs, toUs] (µs from the run's origin): those that started in it,
 * those that started before and ended in it or after it, and those still running at the end; the
 * first `most` of them by id. Only the frames of task starts and ends that reach into the window
 * are read (and for each lane, the index says which task was running as the window began). The
 * ids themselves, not the range they span: a lane that took a task long ago, or stalled on one,
 * would make a range hold thousands of others.
 */
export function tasksInWindow(index: JournalIndex, fromUs: number, toUs: number, most = Infinity): WindowTasks {
  return runSteps(tasksInWindowSteps(index, fromUs, toUs, most));
}

/** tasksInWindow, pausing (a bare yield) after each frame it reads. */
export function* tasksInWindowSteps(index: JournalIndex, fromUs: number, toUs: number, most = Infinity): Generator<void, WindowTasks> {
  const from = index.head.origin + fromUs;
  const to = index.head.origin + toUs;
  // Ids as they are met, some twice (a start and an end in the window): four bytes each.
  let ids = new Int32Array(1024);
  let n = 0;
  const take = (task: number) => {
    if (n === ids.length) {
      const more = new Int32Array(2 * n);
      more.set(ids);
      ids = more;
    }
    ids[n++] = task;
  };
  /** by lane: its last frame of starts and ends before the window */
  const before = new Map<number, FrameEntry>();
  const reach: FrameEntry[] = [];
  for (const f of index.frames) {
    if (f.runMax < f.runMin) continue;
    if (f.runTMax < from) {
      if (f.runLane >= 0) before.set(f.runLane, f);
    } else if (f.runTMin <= to) reach.push(f);
  }
  /** tasks started in the frames read and not ended there, with when; tasks that ended before the window */
  const started = new Map<number, number>();
  const endedBefore = new Set<number>();
  const fd = openSync(index.path, 'r');
  try {
    const buf = Buffer.alloc(4 << 20);
    for (const f of reach) {
      yield;
      const { payload } = readFrame(fd, f.source, f.at, f.bytes, buf);
      eachRecordHead(payload, f.at, (type, _lane, ts, pos) => {
        if (type !== Rec.TASK_START && type !== Rec.TASK_END) return;
        const task = payload.readInt32LE(pos + 16);
        if (type === Rec.TASK_START) {
          started.set(task, ts);
          if (ts >= from && ts <= to) take(task);
        } else {
          const start = started.get(task);
          started.delete(task);
          if (ts < from) endedBefore.add(task);
          else if (start === undefined || start <= to) take(task);
        }
      });
    }
  } finally {
    closeSync(fd);
  }
  // Started before the window or in it, and not ended in the frames read: it ran on past them.
  for (const [task, ts] of started) if (ts <= to) take(task);
  for (const f of before.values()) if (f.openTask > 0 && !endedBefore.has(f.openTask)) take(f.openTask);
  const sorted = ids.subarray(0, n).sort();
  const only = new Set<number>();
  let ran = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) continue;
    ran++;
    if (only.size < most) only.add((last = sorted[i]));
  }
  return { taskFrom: n === 0 ? 1 : sorted[0], taskTo: last + 1, only, ran };
}

/** Ids as sorted, separate ranges [from, to). */
class IdRanges {
  private readonly from: number[] = [];
  private readonly to: number[] = [];

  /** `ranges` sorted by their starts; those that overlap become one. */
  static of(ranges: Iterable<readonly [number, number]>): IdRanges {
    const r = new IdRanges();
    for (const [from, to] of ranges) r.add(from, to, 0);
    return r;
  }

  /** `ids` in ascending order; those less than `gap` apart share a range. */
  static ofIds(ids: Iterable<number>, gap: number): IdRanges {
    const r = new IdRanges();
    for (const id of ids) r.add(id, id + 1, gap);
    return r;
  }

  private add(from: number, to: number, gap: number): void {
    const last = this.to.length - 1;
    if (last >= 0 && from <= this.to[last] + gap) this.to[last] = Math.max(this.to[last], to);
    else {
      this.from.push(from);
      this.to.push(to);
    }
  }

  /** Whether [min, max] holds an id of these ranges. */
  meets(min: number, max: number): boolean {
    if (max < min) return false;
    // The first range that ends past min.
    let lo = 0;
    let hi = this.to.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.to[mid] <= min) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.to.length && this.from[lo] <= max;
  }
}

/** Ids of a window's tasks this close together share a range: a frame holds more tasks than that. */
const TASK_GAP = 64;

/**
 * Which frames a replay keeping what `keep` lets it keep must read: those of other records, of
 * the tasks it keeps (of `only`, or of its range no more than its span budget lets in), of those
 * tasks' jobs, and of the waits on those jobs. The others hold only what it would count or leave out.
 */
export function framesToRead(index: JournalIndex, keep: KeepPolicy): (f: FrameEntry) => boolean {
  const tasks = keep.only
    ? IdRanges.ofIds(keep.only, TASK_GAP)
    : // The store keeps at most maxSpans spans, so no task from taskFrom + maxSpans on.
      IdRanges.of([[keep.taskFrom, Math.min(keep.taskTo, keep.taskFrom + keep.maxSpans)]]);
  // Each range over-reaches (a frame names other tasks' jobs too): reading more frames only costs time.
  const jobs = reach(index, (f) => tasks.meets(f.taskMin, f.taskMax), 'job');
  const waits = reach(index, (f) => jobs.meets(f.jobMin, f.jobMax), 'wait');
  return (f) => f.other || tasks.meets(f.taskMin, f.taskMax) || jobs.meets(f.jobMin, f.jobMax) || waits.meets(f.waitMin, f.waitMax);
}

/** The ids of `key` the frames that `has` picks name. */
function reach(index: JournalIndex, has: (f: FrameEntry) => boolean, key: 'job' | 'wait'): IdRanges {
  const ranges: [number, number][] = [];
  for (const f of index.frames) {
    const min = f[`${key}Min`],
      max = f[`${key}Max`];
    if (max >= min && has(f)) ranges.push([min, max + 1]);
  }
  return IdRanges.of(ranges.sort((a, b) => a[0] - b[0]));
}
