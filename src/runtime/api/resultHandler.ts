// The callback-thread rules of Pool and ThreadPool (docs/SEMANTICS.md A.1, 5, 6, 7, 7a), in one place.
// Each pool has one result handler. It takes finished jobs in the order their results
// arrive and, one at a time on the Callback lane, runs the job's callback or error callback
// and only then makes the job ready. So a callback that blocks holds back every later
// result of the pool, and a callback that throws kills the handler: that job and every
// later one never become ready, and whoever waits on them waits forever. A callback that
// throws KeyError is the exception: Python's handler swallows it (`except KeyError: pass`
// around the call), so only that job never becomes ready, and nothing is printed.
import { CallbackKind, CallbackStatus, PoolAction, Rec } from '../../trace/records';
import { recorder } from '../record/recorder';
import { userStack } from '../sites/stacks';
import { firstLine } from '../../trace/stacks';
import { callbackName, functionSite } from '../sites/sites';
import { CALLBACK_LANE, MAIN_LANE, onCallbackLane } from '../record/lanes';
import { recheckWaits } from './waits';
import { KeyError } from './errors';
import type { CallbackKindName } from '../../trace/model';

export class ResultHandler {
  private deathCause: string | undefined;
  /** jobs whose callback threw KeyError, which the handler swallowed: they never become ready */
  private readonly swallowedBy = new Map<number, string>();

  constructor(private readonly poolId: number) {}

  get dead(): string | undefined {
    return this.deathCause;
  }

  /**
   * Runs the job's callback (if any) with `arg`. Returns whether the job may now become ready:
   * not if the handler is dead, or dies because the callback threw.
   */
  complete(job: number, kind: CallbackKindName, callback: Function | undefined, arg: unknown, fromTask = 0): boolean {
    if (this.deathCause !== undefined) return false;
    if (!callback) return true;
    return runCallback(
      job,
      kind,
      callback,
      arg,
      (stack, error) => (error instanceof KeyError ? this.swallow(job, callbackName(callback), stack) : this.die(callbackName(callback), stack)),
      CALLBACK_LANE,
      fromTask,
    );
  }

  /** Why job `job` (or, without one, some job) never becomes ready because its callback's KeyError was swallowed. */
  swallowed(job?: number): string | undefined {
    if (job !== undefined) return this.swallowedBy.get(job);
    for (const why of this.swallowedBy.values()) return why;
    return undefined;
  }

  private swallow(job: number, name: string, stack: string): void {
    this.swallowedBy.set(job, `its callback \`${name}\` threw ${firstLine(stack)}, which the pool's result handler swallows without making the result ready`);
    recheckWaits();
  }

  private die(name: string, stack: string): void {
    this.deathCause = `the pool's result handler died when callback \`${name}\` threw ${firstLine(stack)}`;
    console.error(`Exception in thread Callback (_handle_results):\n${stack}`);
    const rec = recorder();
    rec.rec(Rec.POOL, MAIN_LANE, this.poolId, PoolAction.handlerDied, -1, 0, 0, 0, stack);
    recheckWaits();
  }
}

/**
 * Runs one user callback on the Callback lane (or, for the synchronous executor cases, on
 * the caller's lane), recording it. Returns false if it threw; `onThrow` gets the stack.
 */
export function runCallback(
  job: number,
  kind: CallbackKindName,
  callback: Function,
  arg: unknown,
  onThrow: (stack: string, error: unknown) => void,
  lane = CALLBACK_LANE,
  /** the task whose outcome `arg` is, when the callback sees one task's (an error callback) */
  fromTask = 0,
): boolean {
  const rec = recorder();
  const traced = rec.tasks;
  if (traced) rec.rec(Rec.CB_START, lane, job, CallbackKind[kind], rec.str(callbackName(callback)), rec.str(functionSite(callback)), fromTask);
  try {
    if (lane === CALLBACK_LANE) onCallbackLane(() => callback(arg));
    else callback(arg);
  } catch (e) {
    const stack = userStack(e);
    if (traced) rec.rec(Rec.CB_END, lane, job, CallbackStatus.threw, 0, 0, 0, 0, stack);
    // What the failure prints belongs to the lane the callback ran on.
    if (lane === CALLBACK_LANE) onCallbackLane(() => onThrow(stack, e));
    else onThrow(stack, e);
    return false;
  }
  if (traced) rec.rec(Rec.CB_END, lane, job, CallbackStatus.ok);
  return true;
}
