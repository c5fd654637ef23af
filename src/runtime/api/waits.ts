// Main-thread waits: each is recorded as a span on Main, and each is checked against what it
// waits for. A wait with no timeout on something that can no longer happen (a result whose
// result handler died, a task dropped by terminate(), a pool whose initializer always fails)
// would hang forever, as it does in Python; here it is declared a deadlock and the run ends.
import { Rec, WaitOutcome } from '../../trace/records';
import { RuntimeError } from './errors';
import { recorder } from '../record/recorder';
import { hostLink, newWaitId } from '../main/runContext';
import { captureSite } from '../sites/sites';
import { CALLBACK_LANE, currentLane } from '../record/lanes';

export interface Completable {
  /** undefined while it can still complete; otherwise why it never will */
  neverCompletes(): string | undefined;
}

interface ActiveWait {
  id: number;
  site?: string;
  job: number;
  target?: Completable;
  /** rejects the waiter; only waits that can end otherwise than by what they wait for have one */
  fail?(e: Error): void;
  /** links of the list of waits in progress */
  open?: boolean;
  prev?: ActiveWait;
  next?: ActiveWait;
}

// Waits in progress, linked through themselves: a burst of get()s would put 100k entries in a map.
let firstActive: ActiveWait | undefined;
let lastActive: ActiveWait | undefined;

function opened(w: ActiveWait): void {
  w.open = true;
  w.prev = lastActive;
  if (lastActive) lastActive.next = w;
  else firstActive = w;
  lastActive = w;
}

/** Takes w off the list; false if it was over already. */
function closed(w: ActiveWait): boolean {
  if (!w.open) return false;
  w.open = false;
  if (w.prev) w.prev.next = w.next;
  else firstActive = w.next;
  if (w.next) w.next.prev = w.prev;
  else lastActive = w.prev;
  w.prev = w.next = undefined;
  return true;
}

export interface WaitSpec<T> {
  what: string;
  job?: number;
  timeoutMs?: number;
  /** what can make the wait impossible; checked only for waits without a timeout */
  target?: Completable;
  settled: Promise<T>;
  timeoutError?: () => Error;
  /** the waiting line, when the call that waits knows it already (see callSite) */
  site?: string;
}

/** Only the main isolate's waits are drawn, and only when tracing. */
function drawnOn(lane: number): boolean {
  return lane <= CALLBACK_LANE && recorder().tasks;
}

/**
 * Records the start of a drawn wait and returns its site: `known`, else the waiting line found
 * on the stack (a capture each undrawn wait is spared). An undrawn wait keeps `known`.
 */
function waitStarted(drawn: boolean, lane: number, id: number, what: string, known: string | undefined, job: number, timeoutMs?: number): string | undefined {
  if (!drawn) return known;
  const site = known ?? captureSite();
  const rec = recorder();
  rec.rec(Rec.WAIT_START, lane, id, rec.str(what), rec.str(site), job, timeoutMs === undefined ? -1 : Math.round(timeoutMs));
  return site;
}

let nextResolve: (value: any) => void;
let nextReject: (error: unknown) => void;
/** One executor for every DirectWait's promise, so making one allocates no closure. */
const takeResolvers = (resolve: (value: any) => void, reject: (error: unknown) => void) => {
  nextResolve = resolve;
  nextReject = reject;
};

/**
 * A wait that the thing waited for ends itself when it settles (an AsyncResult's first get),
 * with no promise chain of its own: a burst of 100k get()s makes 100k of these, each one
 * object and one promise, all alive until their results come in.
 */
export class DirectWait<T> implements ActiveWait {
  readonly id = newWaitId();
  readonly promise: Promise<T>;
  private readonly lane = currentLane();
  private readonly drawn = drawnOn(this.lane);
  private readonly resolve: (value: T) => void;
  private readonly reject: (error: unknown) => void;

  readonly site: string | undefined;
  open = false;
  prev: ActiveWait | undefined;
  next: ActiveWait | undefined;

  constructor(
    what: string,
    readonly job: number,
    site: string | undefined,
    readonly target: Completable,
  ) {
    this.promise = new Promise<T>(takeResolvers);
    this.resolve = nextResolve;
    this.reject = nextReject;
    this.site = waitStarted(this.drawn, this.lane, this.id, what, site, job);
    opened(this);
    checkWait(this, true);
  }

  /** The wait id a record that ends this wait names (JOB_READY d), or 0 when it is over or not drawn. */
  get endId(): number {
    return this.drawn && this.open ? this.id : 0;
  }

  /** Ends the wait with what it waited for; the record that says so (JOB_READY) names endId. */
  settle(ok: boolean, value: unknown): void {
    if (!closed(this)) return;
    if (ok) this.resolve(value as T);
    else this.reject(value);
  }

  fail(e: Error): void {
    if (!closed(this)) return;
    if (this.drawn) recorder().rec(Rec.WAIT_END, this.lane, this.id, WaitOutcome.error);
    this.reject(e);
  }
}

export function recordedWait<T>(spec: WaitSpec<T>): Promise<T> {
  const rec = recorder();
  const id = newWaitId();
  const lane = currentLane();
  // Waits inside a task are part of that task's span.
  const drawn = drawnOn(lane);
  const job = spec.job ?? -1;
  const timeout = spec.timeoutMs;
  const site = waitStarted(drawn, lane, id, spec.what, spec.site, job, timeout);
  const w: ActiveWait = { id, site, job, target: timeout === undefined ? spec.target : undefined };
  opened(w);
  const end = (outcome: number) => {
    if (!closed(w)) return false;
    if (drawn) rec.rec(Rec.WAIT_END, lane, id, outcome);
    return true;
  };
  // Under a host a wait without a timeout ends only by what it waits for (a deadlock ends the
  // whole run), so it needs no promise of its own.
  if (timeout === undefined && hostLink()) {
    const waited = spec.settled.then(
      (v) => (end(WaitOutcome.ok), v),
      (e) => {
        end(WaitOutcome.error);
        throw e;
      },
    );
    checkWait(w, true);
    return waited;
  }
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: number) => {
      if (timer) clearTimeout(timer);
      return end(outcome);
    };
    w.fail = (e) => finish(WaitOutcome.error) && reject(e);
    if (timeout !== undefined) {
      timer = setTimeout(() => finish(WaitOutcome.timeout) && reject(spec.timeoutError ? spec.timeoutError() : new RuntimeError('timed out')), Math.max(0, timeout));
    }
    spec.settled.then(
      (v) => finish(WaitOutcome.ok) && resolve(v),
      (e) => finish(WaitOutcome.error) && reject(e),
    );
    checkWait(w, true);
  });
}

/** `atCall`: checked while the waiting line is still on the stack, so it can be named even when not drawn. */
function checkWait(w: ActiveWait, atCall = false): void {
  const why = w.target?.neverCompletes();
  if (why === undefined) return;
  const rec = recorder();
  rec.rec(Rec.DEADLOCK, currentLane(), w.id, w.job, rec.str(atCall ? (w.site ?? captureSite()) : w.site), 0, 0, 0, why);
  const host = hostLink();
  if (host) host.deadlock();
  else w.fail?.(new RuntimeError(`deadlock: this wait can never return: ${why}`));
}

/** Something changed that may make waits impossible (a handler died, a pool broke or was terminated). */
export function recheckWaits(): void {
  const waits: ActiveWait[] = [];
  for (let w = firstActive; w; w = w.next) waits.push(w);
  for (const w of waits) checkWait(w);
}

/** A wait that blocks the thread (sleepSync): recorded around the blocking call itself. */
export function recordedBlock(what: string, block: () => void): void {
  const lane = currentLane();
  if (!drawnOn(lane)) return block();
  const id = newWaitId();
  waitStarted(true, lane, id, what, undefined, -1);
  try {
    block();
  } finally {
    recorder().rec(Rec.WAIT_END, lane, id, WaitOutcome.ok);
  }
}
