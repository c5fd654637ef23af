// Main's own running time, drawn on its lane. Main cannot record while it runs the user's code
// (a loop that spins for seconds writes nothing), so the host watches from outside: the share
// of each interval its thread was busy (a JavaScript main's event loop active, a Python main's
// thread on a CPU or waiting for one). Stretches of intervals mostly busy become one `run` span.
// Time main's thread spends in a wait or a callback the trace draws is drawn as such, not as main
// running. The stretches go out as MAIN_RUN records (host records, read into the trace and the
// journal like any thread's), so a run replayed from its journal shows main's running time as the
// live run did.
import type { TraceStore } from '../../trace/store';
import { HostRec, MainRun } from '../../trace/records';
import { CALLBACK_LANE, MAIN_LANE } from '../record/lanes';
import { formatSite, type Site } from '../../trace/model';
import { nowUs } from '../record/clock';
import type { HostRecords } from './hostRecords';

/** An interval counts as running when main's thread was busy for this share of it. */
const ACTIVE = 0.75;
/** A Python main's running between two waits shorter than this is not drawn (µs). */
const SHORTEST_US = 1000;

/** How the host sees main's thread from outside. */
export interface MainThreadView {
  /** the time main's thread has been busy so far, µs, or undefined when it cannot be read */
  busyUs(): number | undefined;
  /** whether span `i` of the store holds main's thread elsewhere than in its own code */
  elsewhere(store: TraceStore, i: number): boolean;
  /**
   * Whether main's thread is idle while elsewhere (a Python main's waits): then an interval's busy
   * time was spent in its moments outside them, and its running is drawn up to a wait's start and
   * from a wait's end. Otherwise an interval with main elsewhere in it is not drawn at all.
   */
  idleElsewhere: boolean;
}

const NODE_BLOCKING_WAITS = new Set(['sleepSync']);

/**
 * A JavaScript main: its thread's event loop active. Its waits are awaits, which leave the loop
 * idle, except sleepSync; callbacks run on its thread, busy, and are drawn on the Callback lane.
 */
export function nodeMain(activeMs: () => number): MainThreadView {
  return {
    busyUs: () => activeMs() * 1000,
    elsewhere: (s, i) => {
      const lane = s.col.lane[i];
      return lane === CALLBACK_LANE || (lane === MAIN_LANE && s.kind(i) === 'wait' && NODE_BLOCKING_WAITS.has(s.str(s.col.name[i])));
    },
    idleElsewhere: false,
  };
}

export class MainActivity {
  /** main's busy time at the last reading, µs, or undefined: no reading yet */
  private last: number | undefined;
  private lastTs: number;
  /** where the open stretch of running ends so far (µs from the origin), or -1: none open */
  private openEnd = -1;
  /** spans before this index were looked at for main being elsewhere */
  private seen = 0;
  /** main's thread's spans elsewhere that were still going at the last reading or came after it */
  private recent: number[] = [];
  private stopped = false;

  constructor(
    /** read for the waits and callbacks on main's thread */
    private readonly store: TraceStore,
    private readonly out: HostRecords,
    /** the run's origin on the shared clock, µs */
    private readonly origin: number,
    private readonly main: MainThreadView,
    /** where main is defined */
    private readonly mainSite: Site | undefined,
  ) {
    this.lastTs = nowUs() - origin;
    this.last = main.busyUs();
  }

  /** Takes one reading; call it after the records so far were read into the store. */
  sample(): void {
    if (this.stopped) return;
    const now = nowUs() - this.origin;
    const busy = this.main.busyUs();
    const [last, from] = [this.last, this.lastTs];
    this.last = busy;
    this.lastTs = now;
    if (last === undefined || busy === undefined || now <= from) return;
    const away = this.elsewhereIn(from, now);
    if (!this.main.idleElsewhere) {
      if ((busy - last) / (now - from) < ACTIVE || away.length > 0) return this.settle();
      return this.ran(from, now);
    }
    const free = outside(from, now, away);
    const freeUs = free.reduce((sum, [a, b]) => sum + b - a, 0);
    if (freeUs === 0 || (busy - last) / freeUs < ACTIVE) return this.settle();
    for (const [a, b] of free) if (b - a >= SHORTEST_US || a === this.openEnd) this.ran(a, b);
    // A wait began before now: the stretch ended at its start.
    if (this.openEnd < now) this.settle();
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

  /** Main ran its own code from `a` to `b`: the open stretch goes on if it ended at `a`, else a new one begins. */
  private ran(a: number, b: number): void {
    if (this.openEnd !== a) {
      this.settle();
      const site = this.mainSite;
      this.write(MainRun.began, a, site && formatSite(site));
    }
    this.write(MainRun.still, b);
    this.openEnd = b;
  }

  private settle(): void {
    if (this.openEnd < 0) return;
    this.write(MainRun.paused, this.openEnd);
    this.openEnd = -1;
  }

  private write(what: number, t: number, text?: string): void {
    this.out.write(HostRec.MAIN_RUN, MAIN_LANE, this.origin + t, what, text);
  }

  /** Main's thread's time elsewhere (a blocking wait, a callback) from `from` to `now`, in order, as [start, end) pairs. */
  private elsewhereIn(from: number, now: number): [number, number][] {
    const s = this.store;
    for (; this.seen < s.spanCount; this.seen++) if (this.main.elsewhere(s, this.seen)) this.recent.push(this.seen);
    const going = (i: number) => s.status(i) === 'running';
    this.recent = this.recent.filter((i) => going(i) || s.col.end[i] > from);
    return this.recent.map((i) => [Math.max(from, s.col.start[i]), going(i) ? now : Math.min(now, s.col.end[i])]);
  }
}

/** The parts of [from, to) outside the ordered, disjoint-or-nested spans `away`. */
function outside(from: number, to: number, away: [number, number][]): [number, number][] {
  const free: [number, number][] = [];
  let at = from;
  for (const [a, b] of away) {
    if (a > at) free.push([at, Math.min(a, to)]);
    at = Math.max(at, b);
  }
  if (at < to) free.push([at, to]);
  return free;
}
