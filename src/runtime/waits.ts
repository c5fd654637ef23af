// Main-thread waits: each is recorded as a span on Main, and each is checked against what it
// waits for. A wait with no timeout on something that can no longer happen (a result whose
// result handler died, a task dropped by terminate(), a pool whose initializer always fails)
// would hang forever, as it does in Python; here it is declared a deadlock and the run ends.
import { Rec, WaitOutcome } from '../trace/records';
import { RuntimeError } from './errors';
import { recorder } from './recorder';
import { hostLink, newWaitId } from './runContext';
import { captureSite } from './sites';
import { CALLBACK_LANE, currentLane } from './thread';

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
}

const active = new Map<number, ActiveWait>();

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

export function recordedWait<T>(spec: WaitSpec<T>): Promise<T> {
  const rec = recorder();
  const id = newWaitId();
  const lane = currentLane();
  // Waits inside a task are part of that task's span; only the main isolate's are drawn, and
  // only when tracing (each costs a stack capture for its site).
  const drawn = lane <= CALLBACK_LANE && rec.tasks;
  const site = spec.site ?? (drawn ? captureSite() : undefined);
  const job = spec.job ?? -1;
  const timeout = spec.timeoutMs;
  if (drawn) rec.rec(Rec.WAIT_START, lane, id, rec.str(spec.what), rec.str(site), job, timeout === undefined ? -1 : Math.round(timeout));
  const end = (outcome: number) => {
    if (!active.delete(id)) return false;
    if (drawn) rec.rec(Rec.WAIT_END, lane, id, outcome);
    return true;
  };
  // Under a host a wait without a timeout ends only by what it waits for (a deadlock ends the
  // whole run), so it needs no promise of its own: most waits of a big batch take this path.
  if (timeout === undefined && hostLink()) {
    const w: ActiveWait = { id, site, job, target: spec.target };
    active.set(id, w);
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
    const w: ActiveWait = { id, site, job, target: timeout === undefined ? spec.target : undefined, fail: (e) => finish(WaitOutcome.error) && reject(e) };
    active.set(id, w);
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
  for (const w of [...active.values()]) checkWait(w);
}

/** A wait that blocks the thread (sleepSync): recorded around the blocking call itself. */
export function recordedBlock(what: string, block: () => void): void {
  const rec = recorder();
  if (currentLane() > CALLBACK_LANE || !rec.tasks) return block();
  const id = newWaitId();
  const lane = currentLane();
  rec.rec(Rec.WAIT_START, lane, id, rec.str(what), rec.str(captureSite()), -1, -1);
  try {
    block();
  } finally {
    rec.rec(Rec.WAIT_END, lane, id, WaitOutcome.ok);
  }
}
