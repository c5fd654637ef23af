// Host side of the transfer format: turns a TraceStore into patches. A TraceFeed remembers
// what one view already holds (store revision, string/log/mark counts, job states), so a
// live run sends only the spans whose spanRev moved since the last patch.
import type { TraceStore } from '../trace/store';
import { SPAN_COLUMN_NAMES, bytesToBase64, type TracePatch, type WireSpans, type SpanColumn } from './wire';

type Columns = Record<SpanColumn, { subarray(a: number, b: number): Parameters<typeof bytesToBase64>[0] }>;

function encodeRange(cols: Columns, from: number, to: number): WireSpans {
  const out = { n: to - from, base: from } as WireSpans;
  for (const c of SPAN_COLUMN_NAMES) out[c] = bytesToBase64(cols[c].subarray(from, to));
  return out;
}

function encodeRows(cols: Columns, rows: Int32Array): WireSpans {
  const out = { n: rows.length, base: 0, idx: bytesToBase64(rows) } as WireSpans;
  for (const c of SPAN_COLUMN_NAMES) {
    const src = cols[c] as unknown as ArrayLike<number> & { constructor: new (n: number) => Parameters<typeof bytesToBase64>[0] & { [i: number]: number } };
    const dst = new src.constructor(rows.length);
    for (let k = 0; k < rows.length; k++) dst[k] = src[rows[k]];
    out[c] = bytesToBase64(dst);
  }
  return out;
}

/** The store's interned strings from id `from` on (ids are dense; only id 0 is empty). */
export function* stringsFrom(store: TraceStore, from: number): Generator<string> {
  for (let id = Math.max(from, 1); ; id++) {
    const s = store.str(id);
    if (s === '') return;
    yield s;
  }
}

export class TraceFeed {
  private revision = -1;
  private strings = 1;
  private logs = 0;
  private marks = 0;
  private spans = 0;

  constructor(private readonly store: TraceStore) {}

  /** Whether the store changed since the last patch. */
  get stale(): boolean {
    return this.store.revision !== this.revision;
  }

  /** Everything, as the first message to a fresh view or after it saw a gap. */
  snapshot(): TracePatch {
    this.revision = -1;
    this.strings = 1;
    this.logs = 0;
    this.marks = 0;
    this.spans = 0;
    return this.next(true);
  }

  /** What changed since the previous patch. */
  delta(): TracePatch {
    return this.next(false);
  }

  private next(reset: boolean): TracePatch {
    const s = this.store;
    const n = s.spanCount;
    const cols: Columns = s.columns();
    let spans: WireSpans;
    if (reset) {
      spans = encodeRange(cols, 0, n);
    } else {
      // Rows touched since the last patch: usually the newest ones plus a few still-open spans.
      const changed: number[] = [];
      for (let i = 0; i < this.spans; i++) if (s.spanRev[i] > this.revision) changed.push(i);
      if (changed.length === 0) spans = encodeRange(cols, this.spans, n);
      else {
        for (let i = this.spans; i < n; i++) changed.push(i);
        spans = encodeRows(cols, Int32Array.from(changed));
      }
    }
    const jobs = reset ? [...s.jobs.values()] : s.jobsChangedSince(this.revision);
    const strings = { base: this.strings, items: [...stringsFrom(s, this.strings)] };
    const patch: TracePatch = {
      reset,
      strings,
      spans,
      lanes: s.lanes,
      logs: { base: this.logs, items: s.logs.slice(this.logs) },
      marks: { base: this.marks, items: s.marks.slice(this.marks) },
      jobs,
      pools: [...s.pools.values()],
      meta: s.meta,
      end: s.end,
    };
    this.strings += strings.items.length;
    this.logs = s.logs.length;
    this.marks = s.marks.length;
    this.spans = n;
    this.revision = s.revision;
    return patch;
  }
}

/** A whole trace as one patch, for the standalone page. */
export function encodeTrace(store: TraceStore): TracePatch {
  return new TraceFeed(store).snapshot();
}
