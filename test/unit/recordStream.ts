// Writes the raw records a run's threads and processes would write, ring by ring, and feeds
// them through the real TraceBuilder: the tests of worker deaths, lost tasks and unhandled
// rejections see the trace exactly as the host would build it. Times are given in ms and
// recorded in µs. A record carries the lane it is about; the ring is who wrote it (a death is
// written on the dead worker's lane by whoever saw it), and strings are interned per ring.
import { formatSite, type LaneKind, type PoolKind, type Site } from '../../src/trace/model';
import { TraceBuilder } from '../../src/trace/builder';
import {
  CallbackKind,
  CallbackStatus,
  CPU_UNKNOWN,
  LaneKindCode,
  MainStatus,
  PoolAction,
  Rec,
  TaskStatus,
  WaitOutcome,
  WorkerAction,
  packPoolApi,
  type RawRecord,
} from '../../src/trace/records';
import { TraceStore } from '../../src/trace/store';
import { KEEP_ALL } from '../../src/trace/notKept';
import type { CallbackKindName } from '../../src/trace/model';

export const FILE = '/home/dev/demo/tasks.ts';
export const MAIN = 0;
export const CALLBACK = 1;
export const at = (line: number, col = 1): Site => ({ file: FILE, line, col });
const us = (ms: number) => Math.round(ms * 1000);

interface Written {
  ring: number;
  r: RawRecord;
}

export class RecordStream {
  private readonly written: Written[] = [];
  private readonly interned = new Map<number, Map<string, number>>();
  private nextJob = 1;
  private nextTask = 1;
  private nextWait = 1;

  /** One record of `ring`'s, about `lane`; `a`..`f` default to 0. */
  rec(ring: number, type: number, lane: number, ms: number, fields: Partial<Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f', number>> = {}, text?: string): this {
    const { a = 0, b = 0, c = 0, d = 0, e = 0, f = 0 } = fields;
    this.written.push({ ring, r: { type, lane, ts: us(ms), a, b, c, d, e, f, text } });
    return this;
  }

  /** The id of `s` in `ring`'s string table, writing its STR record the first time. */
  str(ring: number, s: string | Site | undefined): number {
    if (s === undefined) return -1;
    const text = typeof s === 'string' ? s : formatSite(s);
    let table = this.interned.get(ring);
    if (!table) this.interned.set(ring, (table = new Map()));
    let id = table.get(text);
    if (id === undefined) {
      table.set(text, (id = table.size));
      this.rec(ring, Rec.STR, ring, 0, { a: id }, text);
    }
    return id;
  }

  lane(id: number, kind: LaneKind, name: string, pool = -1): this {
    return this.rec(MAIN, Rec.LANE, MAIN, 0, { a: id, b: LaneKindCode[kind], c: pool }, name);
  }

  pool(id: number, kind: PoolKind, o: { ms: number; size: number; site: Site; initializer?: string; initializerSite?: Site }): this {
    return this.rec(
      MAIN,
      Rec.POOL,
      MAIN,
      o.ms,
      { a: id, b: PoolAction.created, c: this.str(MAIN, o.site), d: o.size, e: this.str(MAIN, o.initializer), f: this.str(MAIN, o.initializerSite) },
      kind,
    );
  }

  poolAction(id: number, action: keyof typeof PoolAction, ms: number, o: { lane?: number; text?: string } = {}): this {
    return this.rec(MAIN, Rec.POOL, MAIN, ms, { a: id, b: PoolAction[action], d: o.lane ?? 0 }, o.text);
  }

  /** A one-task job (TASK_JOB); returns its job and task ids. */
  submit(pool: number, o: { ms: number; api: string; site: Site; fn: string; fnSite?: Site; args?: string }): { job: number; task: number } {
    const job = this.nextJob++;
    const task = this.nextTask++;
    const c = packPoolApi(pool, this.str(MAIN, o.api));
    this.rec(MAIN, Rec.TASK_JOB, MAIN, o.ms, { a: job, b: task, c, d: this.str(MAIN, o.site), e: this.str(MAIN, o.fn), f: this.str(MAIN, o.fnSite) }, o.args);
    return { job, task };
  }

  callback(job: number, kind: CallbackKindName, name: string, site: Site, registeredAt: Site): this {
    return this.rec(MAIN, Rec.CB_REG, MAIN, 0, { a: job, b: CallbackKind[kind], c: this.str(MAIN, name), d: this.str(MAIN, site), e: this.str(MAIN, registeredAt) });
  }

  start(lane: number, task: number, ms: number): this {
    return this.rec(lane, Rec.TASK_START, lane, ms, { a: task });
  }

  /** `cpuUs`: the task's CPU time on its thread, as Python's tracer measures it; the JS runtime cannot (-1). */
  end(lane: number, task: number, ms: number, status: keyof typeof TaskStatus = 'ok', text?: string, ring = lane, cpuUs = CPU_UNKNOWN): this {
    return this.rec(ring, Rec.TASK_END, lane, ms, { a: task, b: TaskStatus[status], e: cpuUs }, text);
  }

  /** A queued task dropped before any worker took it. */
  drop(task: number, ms: number): this {
    return this.rec(MAIN, Rec.TASK_DROP, MAIN, ms, { a: task, b: TaskStatus.cancelled });
  }

  /** The job's outcome reached main and made it ready (its last outcome, no callbacks to run first). */
  ready(job: number, ms: number, status: keyof typeof TaskStatus = 'ok', wait = 0): this {
    return this.rec(MAIN, Rec.JOB_READY, MAIN, ms, { a: job, b: TaskStatus[status], c: 1, d: wait });
  }

  retrieved(job: number, ms: number): this {
    return this.rec(MAIN, Rec.RETRIEVED, MAIN, ms, { a: job });
  }

  cbRun(job: number, kind: CallbackKindName, name: string, site: Site, from: number, to: number, threw?: string): this {
    this.rec(MAIN, Rec.CB_START, CALLBACK, from, { a: job, b: CallbackKind[kind], c: this.str(MAIN, name), d: this.str(MAIN, site) });
    return this.rec(MAIN, Rec.CB_END, CALLBACK, to, { a: job, b: threw === undefined ? CallbackStatus.ok : CallbackStatus.threw }, threw);
  }

  /** A wait on Main; returns its id. `ends` at an outcome, or leave it open. */
  wait(what: string, site: Site, ms: number, o: { job?: number; timeoutMs?: number; ends?: { ms: number; outcome: keyof typeof WaitOutcome } } = {}): number {
    const id = this.nextWait++;
    this.rec(MAIN, Rec.WAIT_START, MAIN, ms, { a: id, b: this.str(MAIN, what), c: this.str(MAIN, site), d: o.job ?? -1, e: o.timeoutMs ?? -1 });
    if (o.ends) this.rec(MAIN, Rec.WAIT_END, MAIN, o.ends.ms, { a: id, b: WaitOutcome[o.ends.outcome] });
    return id;
  }

  initRun(lane: number, pool: number, name: string, from: number, to: number, error?: string): this {
    this.rec(lane, Rec.INIT, lane, from, { a: pool, b: -1, c: this.str(lane, name) });
    return this.rec(lane, Rec.INIT, lane, to, { a: pool, b: error === undefined ? TaskStatus.ok : TaskStatus.error }, error);
  }

  workerStart(lane: number, ms: number, pid: number, replaces = false): this {
    return this.rec(lane, Rec.WORKER, lane, ms, { a: WorkerAction.start, b: pid, c: replaces ? 1 : 0 });
  }

  workerExit(lane: number, ms: number): this {
    return this.rec(lane, Rec.WORKER, lane, ms, { a: WorkerAction.exit });
  }

  /** `lane`'s worker died, as main saw it: exit code (-1 unknown), signal number (0 none), the task it ran (0 none). */
  workerDied(lane: number, ms: number, o: { code?: number; signal?: number; task?: number; why: string; ring?: number }): this {
    return this.rec(o.ring ?? MAIN, Rec.WORKER, lane, ms, { a: WorkerAction.died, b: o.code ?? -1, c: o.signal ?? 0, d: o.task ?? 0 }, o.why);
  }

  unhandled(lane: number, ms: number, task: number, stack: string): this {
    return this.rec(lane, Rec.UNHANDLED, lane, ms, { a: task }, stack);
  }

  leftRunning(lane: number, ms: number, task: number, text: string): this {
    return this.rec(lane, Rec.LEFT_RUNNING, lane, ms, { a: task }, text);
  }

  /** A class instance in a task's arguments (written on the submitting lane) or result (on the worker's). */
  reshaped(lane: number, ms: number, task: number, text: string): this {
    return this.rec(lane, Rec.RESHAPED, lane, ms, { a: task }, text);
  }

  deadlock(wait: number, job: number, site: Site, ms: number, why: string): this {
    return this.rec(MAIN, Rec.DEADLOCK, MAIN, ms, { a: wait, b: job, c: this.str(MAIN, site) }, why);
  }

  mainEnd(ms: number, threw?: string): this {
    return this.rec(MAIN, Rec.MAIN_END, MAIN, ms, { a: threw === undefined ? MainStatus.returned : MainStatus.threw }, threw);
  }

  /**
   * The trace the host builds from these records. `rings`: the order the host drains them in,
   * each ring whole (others after, in id order); without it, every record in time order.
   * `maxSpans`: the store's span budget, as a run's (the tasks past it are counted, not kept).
   */
  build(o: { outcome?: TraceStore['meta']['outcome']; endMs: number; rings?: number[]; maxSpans?: number }): TraceStore {
    const store = new TraceStore({ file: FILE, startedAt: '2026-11-21T05:00:00.000Z', outcome: o.outcome ?? 'returned' });
    const builder = new TraceBuilder(store, 0, { ...KEEP_ALL, maxSpans: o.maxSpans ?? Infinity });
    const tables = new Map<number, string[]>();
    const table = (ring: number) => {
      let t = tables.get(ring);
      if (!t) tables.set(ring, (t = []));
      return t;
    };
    for (const w of this.ordered(o.rings)) builder.consume(w.r, table(w.ring));
    builder.finish(us(o.endMs));
    return store;
  }

  /** The records in the order the host reads them (see build), each with the ring that wrote it. */
  ordered(rings?: number[]): readonly Written[] {
    // STR records (ts 0) keep their place before the records that use them: both orders are stable sorts.
    const all = [...new Set(this.written.map((w) => w.ring))].sort((x, y) => x - y);
    const order = rings ? [...rings, ...all.filter((r) => !rings.includes(r))] : undefined;
    return order ? order.flatMap((ring) => this.written.filter((w) => w.ring === ring)) : [...this.written].sort((x, y) => x.r.ts - y.r.ts);
  }
}
