// Host side of the transfer format: turns a TraceStore into patches. A TraceFeed remembers
// what one view already holds (store revision, string/log/mark counts, span rows sent), so a
// live run sends only the spans whose spanRev moved since the last patch. Span columns go as
// typed arrays of their own (copies, so a message never carries a column's whole buffer), and
// at most `maxRows` rows a patch: a big trace reaches a view in bounded pieces.
import type { JobTable } from '../trace/jobTable';
import type { TraceStore } from '../trace/store';
import type { SpanArrays } from '../trace/spanColumns';
import { SPAN_COLUMN_NAMES, type TracePatch, type WireJobs, type WireNotKept, type WireSpans } from './wire';

/** Rows per patch: about 16 MB of span columns. */
export const MAX_ROWS = 1 << 18;

function encodeRange(cols: SpanArrays, from: number, to: number): WireSpans {
  const out = { n: to - from, base: from } as WireSpans;
  for (const c of SPAN_COLUMN_NAMES) out[c] = cols[c].slice(from, to);
  return out;
}

/** Rows `old` (sent before and changed since), then the new rows `from .. to-1`, copied as one block. */
function encodeRows(cols: SpanArrays, old: Int32Array, from: number, to: number): WireSpans {
  const n = old.length + to - from;
  const idx = new Int32Array(n);
  idx.set(old);
  for (let k = old.length; k < n; k++) idx[k] = from + k - old.length;
  const out = { n, base: 0, idx } as WireSpans;
  for (const c of SPAN_COLUMN_NAMES) {
    const src = cols[c] as unknown as ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> } & {
      constructor: new (n: number) => ArrayBufferView & { [i: number]: number; set(a: ArrayLike<number>, at: number): void };
    };
    const dst = new src.constructor(n);
    for (let k = 0; k < old.length; k++) dst[k] = src[old[k]];
    dst.set(src.subarray(from, to), old.length);
    out[c] = dst;
  }
  return out;
}

/**
 * The store's jobs as the view reads them, from the table's columns: all of them, or those with
 * the given ids. For all, `id`, `submitted` and `readyAt` are views of the table's arrays (a
 * caller that posts them copies them); `api` is recoded to the wire's small codes.
 */
export function jobColumns(table: JobTable, ids?: Int32Array): WireJobs {
  const c = table.viewColumns();
  const rows = ids && Int32Array.from(ids, (id) => table.rowOf(id));
  const n = rows ? rows.length : c.n;
  const apis: string[] = [];
  const codes = new Int32Array(c.apiNames.length).fill(-1);
  const api = new Uint16Array(n);
  for (let k = 0; k < n; k++) {
    const name = c.api[rows ? rows[k] : k];
    if (codes[name] < 0) {
      codes[name] = apis.length;
      apis.push(c.apiNames[name] ?? '');
    }
    api[k] = codes[name];
  }
  if (!rows) return { n, apis, id: c.id, api, submitted: c.submitted, readyAt: c.readyAt };
  const gather = <T extends Int32Array | Float64Array>(col: T, out: T): T => {
    for (let k = 0; k < n; k++) out[k] = col[rows[k]];
    return out;
  };
  return { n, apis, id: gather(c.id, new Int32Array(n)), api, submitted: gather(c.submitted, new Float64Array(n)), readyAt: gather(c.readyAt, new Float64Array(n)) };
}

/** Jobs whose columns are copies of their own, to post. */
const copied = (j: WireJobs): WireJobs => ({ ...j, id: j.id.slice(), submitted: j.submitted.slice(), readyAt: j.readyAt.slice() });

/** The store's interned strings from id `from` on (ids are dense; only id 0 is empty). */
export function* stringsFrom(store: TraceStore, from: number): Generator<string> {
  for (let id = Math.max(from, 1); ; id++) {
    const s = store.str(id);
    if (s === '') return;
    yield s;
  }
}

/** What the store did not keep, as the view shows it; undefined when it kept every task. */
export function notKeptOf(store: TraceStore): WireNotKept | undefined {
  const n = store.notKept;
  if (!n.any) return undefined;
  const lanes: WireNotKept['lanes'] = [];
  n.spans.forEach((spans, lane) => lanes.push({ lane, spans, busy: n.busy[lane] ?? 0 }));
  return {
    tasks: n.tasks,
    failed: n.failed,
    firstTask: n.firstTask,
    firstTs: n.firstTs,
    byBudget: n.byBudget,
    reason: n.reason,
    lanes,
    ...(n.window ? { window: { ...n.window } } : {}),
  };
}

const NO_IDS = new Int32Array(0);

/** The ids in either list (each ascending), ascending, each once: a merge, as bursts make both long. */
function union(a: Int32Array, b: Int32Array): Int32Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Int32Array(a.length + b.length);
  let i = 0,
    j = 0,
    n = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (n === 0 || out[n - 1] !== next) out[n++] = next;
  }
  return out.subarray(0, n);
}

export class TraceFeed {
  private revision = -1;
  private strings = 1;
  private logs = 0;
  private marks = 0;
  private spans = 0;
  private notKeptRevision = 0;
  /** ids of the jobs still to send, past the last patch's maxRows: changed ones, or after a snapshot those it did not hold */
  private pendingJobs: Int32Array = NO_IDS;

  constructor(
    private readonly store: TraceStore,
    private readonly maxRows = MAX_ROWS,
  ) {}

  /** Whether the store changed since the last patch, or holds rows not sent yet. */
  get stale(): boolean {
    return this.behind || this.store.revision !== this.revision || this.store.notKept.revision !== this.notKeptRevision;
  }

  /** Whether the store holds span rows or jobs not sent yet (a view catching up with a big trace). */
  get behind(): boolean {
    return this.spans < this.store.spanCount || this.pendingJobs.length > 0;
  }

  /** Everything (up to maxRows rows), as the first message to a fresh view or after it saw a gap; deltas bring the rest. */
  snapshot(): TracePatch {
    this.revision = -1;
    this.strings = 1;
    this.logs = 0;
    this.marks = 0;
    this.spans = 0;
    return this.next(true);
  }

  /** What changed since the previous patch, and the next rows not sent yet. */
  delta(): TracePatch {
    return this.next(false);
  }

  private next(reset: boolean): TracePatch {
    const s = this.store;
    const top = Math.min(s.spanCount, this.spans + this.maxRows);
    const cols = s.col;
    let spans: WireSpans;
    if (reset) {
      spans = encodeRange(cols, 0, top);
    } else {
      // Rows sent before and touched since: the spans still open when last sent (in a burst,
      // tens of thousands a patch), counted first so they go in one exact array.
      const rev = s.spanRev;
      let changed = 0;
      for (let i = 0; i < this.spans; i++) if (rev[i] > this.revision) changed++;
      if (changed === 0) spans = encodeRange(cols, this.spans, top);
      else {
        const old = new Int32Array(changed);
        for (let i = 0, k = 0; k < changed; i++) if (rev[i] > this.revision) old[k++] = i;
        spans = encodeRows(cols, old, this.spans, top);
      }
    }
    // Jobs go in pieces of maxRows too: a snapshot's, and a burst of changes (main taking in a
    // quarter of a million results) that would otherwise go as one message of megabytes.
    const jobIds = reset ? (s.jobs.size > this.maxRows ? s.jobs.viewColumns().id.slice().sort() : undefined) : union(this.pendingJobs, s.jobsChangedSince(this.revision));
    this.pendingJobs = jobIds && jobIds.length > this.maxRows ? jobIds.slice(this.maxRows) : NO_IDS;
    const changedJobs = jobIds && jobIds.length > this.maxRows ? jobIds.subarray(0, this.maxRows) : jobIds;
    const strings = { base: this.strings, items: [...stringsFrom(s, this.strings)] };
    const patch: TracePatch = {
      reset,
      strings,
      spans,
      lanes: s.lanes,
      logs: { base: this.logs, items: s.logs.slice(this.logs) },
      marks: { base: this.marks, items: s.marks.slice(this.marks) },
      jobs: changedJobs ? jobColumns(s.jobs, changedJobs) : copied(jobColumns(s.jobs)),
      pools: [...s.pools.values()],
      meta: s.meta,
      end: s.end,
      notKept: notKeptOf(s),
    };
    this.strings += strings.items.length;
    this.logs = s.logs.length;
    this.marks = s.marks.length;
    this.spans = top;
    this.revision = s.revision;
    this.notKeptRevision = s.notKept.revision;
    if (this.behind) patch.more = true;
    return patch;
  }
}
