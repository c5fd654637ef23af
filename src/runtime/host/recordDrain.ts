// Reads a run's record sources into its trace builder, and into the run's journal when it has
// one. A source is anything that yields the binary records of src/trace/records.ts with its own
// string table: a thread's shared ring, a file a Python process appends to.
import type { RawRecord } from '../../trace/records';
import type { StringTable, TraceBuilder } from '../../trace/builder';
import type { OnRecordBytes } from '../record/eventRing';
import type { JournalWriter } from '../journal/writer';

export interface RecordSource {
  /**
   * Hands on at most `max` complete records; returns how many. The record passed is reused.
   * A source that `handsBytes` also gives `onBytes` the same records as they lie encoded.
   */
  drain(onRecord: (r: RawRecord) => void, max: number, onBytes?: OnRecordBytes): number;
  readonly handsBytes?: boolean;
  /** records lost before they could be read (a full ring, a truncated file) */
  readonly dropped: number;
}

/** Records a source hands on between looks at the clock: a chunk takes well under a millisecond. */
const CHUNK = 256;

export class RecordDrain {
  private readonly sources: { source: RecordSource; consume: (r: RawRecord) => void; onBytes?: OnRecordBytes }[] = [];

  constructor(
    private readonly builder: TraceBuilder,
    private readonly journal?: JournalWriter,
  ) {}

  add(source: RecordSource): void {
    const strings: StringTable = [];
    const index = this.sources.length;
    const journal = this.journal;
    const toBuilder = (r: RawRecord) => this.builder.consume(r, strings);
    if (!journal) this.sources.push({ source, consume: toBuilder });
    else if (source.handsBytes) this.sources.push({ source, consume: toBuilder, onBytes: (bytes, start, end) => journal.bytes(index, bytes, start, end) });
    else
      this.sources.push({
        source,
        consume: (r) => {
          journal.record(index, r);
          toBuilder(r);
        },
      });
  }

  /**
   * Reads every source until it is empty or `untilMs` (performance.now()) passes; true if some
   * were left. The sources take turns by chunks, so a slice ends on time however many there are,
   * and a busy one (main's ring in a burst) does not keep the others' rings full.
   */
  read(untilMs = Infinity): boolean {
    let more = true;
    while (more) {
      more = false;
      for (const { source, consume, onBytes } of this.sources) if (source.drain(consume, CHUNK, onBytes) === CHUNK) more = true;
      if (more && performance.now() > untilMs) break;
    }
    this.journal?.flush();
    return more;
  }

  get dropped(): number {
    return this.sources.reduce((n, s) => n + s.source.dropped, 0);
  }
}
