// The record sources of a Python run: each process's file with its lanes made run-wide, and the
// lines the interpreter wrote to its real stdout/stderr (what the tracer could not record).
import { LaneKindCode, Rec, type RawRecord } from '../../trace/records';
import type { RecordSource } from '../host/recordDrain';
import { HostRecords } from '../host/hostRecords';
import { nowUs } from '../record/clock';
import type { RecordFile } from './recordFile';
import { MAIN_LANE, type RunLanes } from './runLanes';

export class ProcessRecords implements RecordSource {
  readonly dropped = 0;
  /** the file's local lane ids, run-wide */
  private readonly local: number[] = [];

  constructor(
    readonly file: RecordFile,
    private readonly lanes: RunLanes,
    /** sees every record on its way to the trace */
    private readonly seen: (r: RawRecord) => void,
  ) {}

  drain(onRecord: (r: RawRecord) => void, max: number): number {
    return this.file.drain((r) => {
      if (!this.lanes.remap(r, this.local)) return;
      this.seen(r);
      onRecord(r);
    }, max);
  }
}

/**
 * Lines that reached the interpreter's real stdout or stderr: written before the tracer ran, by C
 * code, or by a program the run started. They are Main's, stamped when the host read them.
 */
export class PipeLines extends HostRecords {
  private readonly partial = ['', '', ''];

  constructor() {
    super();
    this.push({ type: Rec.LANE, lane: MAIN_LANE, ts: nowUs(), a: MAIN_LANE, b: LaneKindCode.main, c: -1, d: 0, e: 0, f: 0, text: 'Main' });
  }

  /** Text as it arrived from stream 1 (stdout) or 2 (stderr); `end`: the stream closed. */
  add(stream: 1 | 2, text: string, end = false): void {
    const lines = (this.partial[stream] + text).split('\n');
    this.partial[stream] = end ? '' : lines.pop()!;
    const ts = nowUs();
    for (const line of lines) if (!end || line) this.write(Rec.LOG, MAIN_LANE, ts, stream, line);
  }
}
