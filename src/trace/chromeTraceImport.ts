// Import of a Chrome Trace Event Format file (user input: Open Trace...). A poolscope file
// (metadata.poolscope present) is read strictly and rebuilds the exact store it came from;
// any other trace is read best-effort (see chromeTraceForeign.ts).
import {
  CALLBACK_KINDS,
  LANE_KINDS,
  POOL_KINDS,
  SPAN_KINDS,
  type Job,
  type JobStatus,
  type Lane,
  type Mark,
  type MarkKind,
  type PoolInfo,
  type RunOutcome,
  type SpanKind,
  type TraceLanguage,
  type TraceMeta,
} from './model';
import { TraceStore, type NewSpan } from './store';
import { CHROME_ARG_COLUMNS, SPAN_COLUMNS } from './spanColumns';
import { Fields, asArray, asInt, fail, isObj } from './chromeTraceCheck';
import { FLOW_CAT, FORMAT_VERSION, LOG_CAT, MARK_CAT, SUBMIT_CAT, quantize } from './chromeTraceFormat';
import { ForeignImporter } from './chromeTraceForeign';
import { readJson, type JsonLimits, type JsonPath, type JsonVisitor } from './jsonStream';

const OUTCOMES: Record<RunOutcome, true> = { returned: true, threw: true, deadlock: true, timeout: true, stopped: true, crashed: true, 'bad-input': true, running: true };
const JOB_STATUSES: Record<JobStatus, true> = { pending: true, ok: true, error: true, cancelled: true };
const LANGUAGES: Record<TraceLanguage, true> = { python: true };
const STREAMS = { stdout: true, stderr: true } as const;
const MARK_KINDS: Record<MarkKind, true> = {
  'pool-created': true,
  close: true,
  terminate: true,
  shutdown: true,
  broken: true,
  'handler-died': true,
  respawn: true,
  'worker-start': true,
  'worker-exit': true,
  'worker-died': true,
  unhandled: true,
  'left-running': true,
  reshaped: true,
  deadlock: true,
  'main-returned': true,
  'main-threw': true,
};
const SPAN_CATS = Object.fromEntries(SPAN_KINDS.map((k) => [k, true])) as Record<SpanKind, true>;
const X_CATS = { ...SPAN_CATS, [SUBMIT_CAT]: true };
const INSTANT_CATS = { [LOG_CAT]: true, [MARK_CAT]: true };
const FLOW_CATS = { [FLOW_CAT]: true };
const PHASES = { X: true, i: true, s: true, t: true, f: true, M: true };

/** Where a trace's bytes come from; a file can be read twice (see readChromeTrace). */
export type TraceSource = () => AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/**
 * Reads a Chrome Trace Event Format file as a stream, in bounded memory whatever its size. A
 * poolscope file holds metadata.poolscope before its events, so its events go straight into the
 * store. A file whose events come first is read as a foreign trace; if poolscope's metadata turns
 * up after them (a file written before it moved to the front), it is read again as poolscope's.
 */
export async function readChromeTrace(source: TraceSource, what = 'the trace', limits?: JsonLimits): Promise<TraceStore> {
  const first = new ChromeTraceVisitor(false);
  await readJson(source(), first, what, limits);
  if (!first.foreignThenPoolscope) return first.result();
  const second = new ChromeTraceVisitor(true);
  await readJson(source(), second, what, limits);
  return second.result();
}

const POOLSCOPE = ['metadata', 'poolscope'];
const isPath = (path: JsonPath, ...want: string[]) => path.length === want.length && want.every((w, k) => path[k] === w);

class ChromeTraceVisitor implements JsonVisitor {
  private store: TraceStore | undefined;
  private foreign: ForeignImporter | undefined;
  /** metadata.poolscope's members but its jobs, checked when the file ends */
  private md: Record<string, unknown> | undefined;
  private sawEvents = false;
  private root: 'object' | 'array' | undefined;
  foreignThenPoolscope = false;

  constructor(private readonly poolscope: boolean) {}

  walk(path: JsonPath, kind: 'object' | 'array'): boolean {
    if (path.length === 0) return ((this.root = kind), true);
    if (this.root === 'array') return false;
    if (kind === 'array') return isPath(path, 'traceEvents') || isPath(path, ...POOLSCOPE, 'jobs');
    if (isPath(path, 'metadata')) return true;
    if (isPath(path, ...POOLSCOPE)) {
      if (this.sawEvents && !this.poolscope) this.foreignThenPoolscope = true;
      this.md = {};
      this.store ??= new TraceStore();
      return true;
    }
    return false;
  }

  value(path: JsonPath, v: unknown): void {
    if (path.length === 0) fail('the file', 'a JSON object with traceEvents, or an array of events', v);
    if (this.root === 'array') return this.event(`events[${String(path[0])}]`, v);
    if (path[0] === 'traceEvents') {
      if (path.length === 1) asArray(v, 'traceEvents');
      else this.event(`traceEvents[${String(path[1])}]`, v);
      this.sawEvents = true;
      return;
    }
    if (path[0] !== 'metadata' || path[1] !== 'poolscope') {
      if (path.length === 1 && path[0] === 'metadata' && !isObj(v)) fail('metadata', 'an object', v);
      return;
    }
    if (this.foreignThenPoolscope) return;
    if (path.length === 2) fail(POOLSCOPE.join('.'), 'an object', v);
    if (path[2] === 'jobs') {
      if (path.length === 3) asArray(v, `${POOLSCOPE.join('.')}.jobs`);
      else {
        const j = readJob(Fields.of(v, `${POOLSCOPE.join('.')}.jobs[${String(path[3])}]`));
        this.store!.jobs.set(j.id, j);
      }
      return;
    }
    this.md![path[2] as string] = v;
    if (path[2] === 'version') {
      const version = new Fields(this.md!, POOLSCOPE.join('.')).int('version');
      if (version !== FORMAT_VERSION) fail(`${POOLSCOPE.join('.')}.version`, `${FORMAT_VERSION} (written by a newer poolscope?)`, version);
    }
  }

  leave(path: JsonPath, kind: 'object' | 'array'): void {
    if (kind === 'array' && isPath(path, ...POOLSCOPE, 'jobs')) this.md!.jobs = true;
  }

  private event(where: string, v: unknown): void {
    if (this.store && (this.poolscope || this.md)) return readEvent(this.store, Fields.of(v, where));
    if (this.poolscope) {
      this.store = new TraceStore();
      return readEvent(this.store, Fields.of(v, where));
    }
    (this.foreign ??= new ForeignImporter()).add(Fields.of(v, where));
  }

  result(): TraceStore {
    if (this.root === 'array') return (this.foreign ?? new ForeignImporter()).finish();
    if (!this.sawEvents) fail('traceEvents', 'an array', undefined);
    if (!this.md) return (this.foreign ?? new ForeignImporter()).finish();
    const md = new Fields(this.md, POOLSCOPE.join('.'));
    const version = md.int('version');
    if (version !== FORMAT_VERSION) fail(md.at('version'), `${FORMAT_VERSION} (written by a newer poolscope?)`, version);
    if (!md.has('jobs')) md.arr('jobs');
    const store = this.store!;
    store.meta = readMeta(md.obj('meta'));
    md.arr('lanes').forEach((v, i) => store.addLane(readLane(Fields.of(v, `${md.at('lanes')}[${i}]`))));
    md.arr('pools').forEach((v, i) => {
      const p = readPool(Fields.of(v, `${md.at('pools')}[${i}]`));
      store.pools.set(p.id, p);
    });
    store.end = md.num('end');
    return store;
  }
}

function readEvent(store: TraceStore, ev: Fields): void {
  const ph = ev.oneOf('ph', PHASES);
  ev.str('name');
  if (ph === 'M') return; // lanes come from metadata.poolscope.lanes
  ev.int('pid');
  const lane = ev.int('tid', 0, 0xffff);
  const ts = ev.num('ts');
  if (ph === 'X') {
    const dur = ev.num('dur', 0);
    const cat = ev.oneOf('cat', X_CATS);
    if (cat !== SUBMIT_CAT) readSpan(store, ev, cat, lane, ts, dur); // submits are drawn from jobs
  } else if (ph === 'i') {
    const a = ev.obj('args');
    if (ev.oneOf('cat', INSTANT_CATS) === LOG_CAT) {
      store.addLog({ lane, ts, stream: a.oneOf('stream', STREAMS), text: a.str('text') });
    } else {
      store.addMark(readMark(ev, a, lane, ts));
    }
  } else {
    ev.oneOf('cat', FLOW_CATS);
    ev.int('id', 0, Number.MAX_SAFE_INTEGER); // flows are drawn from jobs and spans
  }
}

/** A mark: its optional fields only when present, so absent stays absent. */
function readMark(ev: Fields, a: Fields, lane: number, ts: number): Mark {
  const mark: Mark = { lane, ts, kind: ev.oneOf('name', MARK_KINDS), pool: a.int('pool') };
  const optional = {
    text: a.optStr('text'),
    pid: a.optInt('pid', 0),
    replaces: a.optBool('replaces'),
    exitCode: a.optInt('exitCode'),
    signal: a.optStr('signal'),
    task: a.optInt('task', 1),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(mark, { [k]: v });
  return mark;
}

function readSpan(store: TraceStore, ev: Fields, kind: SpanKind, lane: number, ts: number, dur: number): void {
  const a = ev.obj('args');
  const span = { lane, kind, name: ev.str('name'), start: ts, end: quantize(ts + dur) } as Record<string, unknown>;
  for (const c of CHROME_ARG_COLUMNS) span[c] = (SPAN_COLUMNS[c].chrome as { read(a: Fields, kind: SpanKind): unknown }).read(a, kind);
  store.addSpan(span as unknown as NewSpan);
}

/** The records below keep any field this version does not know, so newer files survive a round trip. */
function readMeta(f: Fields): TraceMeta {
  f.str('file');
  f.str('startedAt');
  f.oneOf('outcome', OUTCOMES);
  f.optStr('error');
  f.optOneOf('language', LANGUAGES);
  const d = f.optObj('deadlock');
  if (d) {
    d.num('ts');
    d.optSite('site');
    d.int('job');
    d.str('reason');
  }
  f.optSite('stoppedAt');
  const stopped = f.optObj('recordsStopped');
  if (stopped) {
    stopped.num('ts');
    stopped.str('why');
  }
  return { ...(f.o as unknown as TraceMeta) };
}

function readLane(f: Fields): Lane {
  f.int('id', 0, 0xffff);
  f.str('name');
  f.oneOf('kind', LANE_KINDS);
  f.int('pool');
  f.optInt('pid', 0);
  return { ...(f.o as unknown as Lane) };
}

function readPool(f: Fields): PoolInfo {
  f.int('id');
  f.oneOf('kind', POOL_KINDS);
  f.int('size', 0);
  f.optSite('site');
  f.num('created');
  for (const k of ['closed', 'terminated', 'shutdown']) f.optNum(k);
  const broken = f.optObj('broken');
  if (broken) {
    broken.num('ts');
    broken.str('cause');
  }
  const died = f.optObj('handlerDied');
  if (died) {
    died.num('ts');
    died.str('error');
  }
  f.int('respawns', 0);
  f.optStr('initializer');
  f.optSite('initializerSite');
  return { ...(f.o as unknown as PoolInfo) };
}

function readJob(f: Fields): Job {
  f.int('id');
  f.int('pool');
  f.str('api');
  f.optSite('site');
  f.optSite('fnSite');
  f.num('submitted');
  f.arr('tasks').forEach((t, i) => asInt(t, `${f.at('tasks')}[${i}]`));
  f.arr('callbacks').forEach((v, i) => {
    const cb = Fields.of(v, `${f.at('callbacks')}[${i}]`);
    cb.oneOf('kind', CALLBACK_KINDS);
    cb.str('name');
    cb.optSite('site');
    cb.optSite('registeredAt');
  });
  f.optNum('resultIn');
  f.optNum('readyAt');
  f.oneOf('status', JOB_STATUSES);
  f.bool('retrieved');
  return { ...(f.o as unknown as Job) };
}
