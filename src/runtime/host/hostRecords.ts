// Records the host writes itself, about what no thread of the run can record (main's running time,
// seen from outside its thread; the lines a Python interpreter wrote to its real stdout), read like
// any other source: into the trace and into the journal, so a replayed run holds them too.
import type { RawRecord } from '../../trace/records';
import type { RecordSource } from './recordDrain';

export class HostRecords implements RecordSource {
  readonly dropped = 0;
  private queue: RawRecord[] = [];

  write(type: number, lane: number, ts: number, a: number, text?: string): void {
    this.push({ type, lane, ts, a, b: 0, c: 0, d: 0, e: 0, f: 0, text });
  }

  push(r: RawRecord): void {
    this.queue.push(r);
  }

  drain(onRecord: (r: RawRecord) => void, max: number): number {
    const n = Math.min(max, this.queue.length);
    for (let i = 0; i < n; i++) onRecord(this.queue[i]);
    this.queue = n === this.queue.length ? [] : this.queue.slice(n);
    return n;
  }
}
