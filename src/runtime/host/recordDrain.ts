// Reads a run's record sources into its trace builder. A source is anything that yields the
// binary records of src/trace/records.ts with its own string table: a thread's shared ring
// today, a file a child process appends to tomorrow.
import type { RawRecord } from '../../trace/records';
import type { StringTable, TraceBuilder } from '../../trace/builder';

export interface RecordSource {
  /** Hands on at most `max` complete records; returns how many. The record passed is reused. */
  drain(onRecord: (r: RawRecord) => void, max: number): number;
  /** records lost before they could be read (a full ring, a truncated file) */
  readonly dropped: number;
}

const CHUNK = 2048;

export class RecordDrain {
  private readonly sources: { source: RecordSource; strings: StringTable }[] = [];

  constructor(private readonly builder: TraceBuilder) {}

  add(source: RecordSource): void {
    this.sources.push({ source, strings: [] });
  }

  /** Reads every source until it is empty or `untilMs` (performance.now()) passes; true if some were left. */
  read(untilMs = Infinity): boolean {
    let more = false;
    for (const { source, strings } of this.sources) {
      const consume = (r: RawRecord) => this.builder.consume(r, strings);
      while (source.drain(consume, CHUNK) === CHUNK) {
        if (performance.now() > untilMs) {
          more = true;
          break;
        }
      }
    }
    return more;
  }

  get dropped(): number {
    return this.sources.reduce((n, s) => n + s.source.dropped, 0);
  }
}
