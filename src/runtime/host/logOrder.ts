// Printed lines come from many threads (or processes), each source read in turn, so they reach
// the host out of order. They are handed on in time order, once every source has been read
// past them.
import type { Lane, LogLine } from '../../trace/model';
import type { TraceStore } from '../../trace/store';
import type { TraceBuilder } from '../../trace/builder';
import { nowUs } from '../record/clock';

const HOLD_US = 30_000;

export type OnLog = (line: LogLine, lane: Lane | undefined) => void;

export class LogOrder {
  private held: LogLine[] = [];

  constructor(
    private readonly builder: TraceBuilder,
    private readonly store: TraceStore,
    /** the run's origin on the shared clock, µs */
    private readonly origin: number,
    private readonly onLog: OnLog | undefined,
  ) {}

  /** Hands on the lines old enough to be in order; `all`: every line, the run is over. */
  emit(all: boolean): void {
    this.held = this.held.concat(this.builder.takeLogs());
    if (!this.onLog || this.held.length === 0) return;
    this.held.sort((a, b) => a.ts - b.ts);
    const cut = all ? Infinity : nowUs() - this.origin - HOLD_US;
    const ready = this.held.filter((l) => l.ts <= cut);
    this.held = this.held.filter((l) => l.ts > cut);
    for (const l of ready) this.onLog(l, this.store.laneById(l.lane));
  }

  /** A line from the host itself (not the user's program), shown and kept like the program's. */
  say(line: LogLine): void {
    this.store.addLog(line);
    this.onLog?.(line, this.store.laneById(line.lane));
  }
}
