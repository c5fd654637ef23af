// Main's own running time, drawn on its lane. Main cannot record while it runs the user's code
// (a loop that spins for seconds writes nothing), so the host watches from outside: the share
// of each interval its thread's event loop was active. Stretches of intervals mostly active
// become one `run` span. Time blocked in sleepSync is a wait and time in callbacks is on the
// Callback lane (they run on main's thread), each drawn as such, not as main running. The
// stretches go out as MAIN_RUN records (host records, read into the trace and the journal like any
// thread's), so a run replayed from its journal shows main's running time as the live run did.
import type { EventLoopUtilization } from 'node:perf_hooks';
import type { TraceStore } from '../../trace/store';
import { HostRec, MainRun } from '../../trace/records';
import { CALLBACK_LANE, MAIN_LANE } from '../record/lanes';
import { formatSite, type Site } from '../../trace/model';
import { nowUs } from '../record/clock';
import type { HostRecords } from './hostRecords';

/** An interval counts as running when main's loop was active for this share of it. */
const ACTIVE = 0.75;
const BLOCKING_WAITS = new Set(['sleepSync']);

export class MainActivity {
  private last: EventLoopUtilization | undefined;
  private lastTs = 0;
  /** where the open stretch of running ends so far (µs from the origin), or -1: none open */
  private openEnd = -1;
  /** spans before this index were looked at for blocking waits */
  private seen = 0;
  /** main's thread's latest blocking wait or callback, or -1 */
  private elsewhere = -1;
  private stopped = false;

  constructor(
    /** read for the waits and callbacks on main's thread */
    private readonly store: TraceStore,
    private readonly out: HostRecords,
    /** the run's origin on the shared clock, µs */
    private readonly origin: number,
    private readonly elu: (since?: EventLoopUtilization) => EventLoopUtilization,
    /** where main is defined */
    private readonly mainSite: Site | undefined,
  ) {}

  /** Takes one reading; call it after the records so far were read into the store. */
  sample(): void {
    if (this.stopped) return;
    const now = nowUs() - this.origin;
    const total = this.elu();
    if (!this.last) {
      this.last = total;
      this.lastTs = now;
      return;
    }
    const delta = this.elu(this.last);
    const from = this.lastTs;
    this.last = total;
    this.lastTs = now;
    const running = delta.utilization >= ACTIVE && !this.elsewhereSince(from);
    if (!running) return this.settle();
    const site = this.mainSite;
    if (this.openEnd < 0) this.write(MainRun.began, from, site && formatSite(site));
    this.write(MainRun.still, now);
    this.openEnd = now;
  }

  /** Whether main was running its own code at the last reading. */
  get running(): boolean {
    return this.openEnd >= 0;
  }

  /** The run ended: a stretch still open stays running if the run was cut short in it (Stop, a time limit). */
  stop(cutShort: boolean): void {
    this.stopped = true;
    if (!cutShort) this.settle();
  }

  private settle(): void {
    if (this.openEnd < 0) return;
    this.write(MainRun.paused, this.openEnd);
    this.openEnd = -1;
  }

  private write(what: number, t: number, text?: string): void {
    this.out.write(HostRec.MAIN_RUN, MAIN_LANE, this.origin + t, what, text);
  }

  /** Whether main's thread sat in a blocking wait or ran a callback at some time since `from`. */
  private elsewhereSince(from: number): boolean {
    const s = this.store;
    for (; this.seen < s.spanCount; this.seen++) {
      const i = this.seen;
      const lane = s.col.lane[i];
      if (lane === CALLBACK_LANE || (lane === MAIN_LANE && s.kind(i) === 'wait' && BLOCKING_WAITS.has(s.str(s.col.name[i])))) this.elsewhere = i;
    }
    const b = this.elsewhere;
    return b >= 0 && (s.status(b) === 'running' || s.col.end[b] > from);
  }
}
