// What a worker's tasks left running when its queue is done: timers, sockets, files, threads.
// Any of them would keep the worker alive after its last task, and a join() waiting on it, where
// Python's worker ends once it took its sentinel. The pool ends the worker regardless; what is
// left is told: by type for everything Node lists, and by task and line for the timers and
// threads a task started, which are watched as they are made (nothing is added to a task that
// makes none, so plain tasks run as fast as before).
import { syncBuiltinESMExports } from 'node:module';
import timers from 'node:timers';
import workerThreads from 'node:worker_threads';
import { Rec } from '../../trace/records';
import { recorder } from '../record/recorder';
import { userFrames } from '../sites/stacks';

/** Resources of the runtime's own, or on their way out, that may be there in any worker at its end. */
const OWN = new Set(['MessagePort', 'CloseReq']);

/** What is left, for people ('a Timeout', '2 Timeouts and a Worker'), or undefined when nothing is. */
export function lingeringHandles(own: ReadonlySet<string> = OWN): string | undefined {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (!own.has(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  const parts = [...counts].map(([name, n]) => (n === 1 ? `a ${name}` : `${n} ${name}s`));
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** Node's timer object, as far as telling whether it can still fire and keeps its thread alive. */
interface Timer {
  hasRef(): boolean;
  _destroyed?: boolean;
}

interface Made {
  what: string;
  /** the task that ran last on this worker when it was made */
  task: number;
  alive(): boolean;
  /** where it was made: a captured stack, formatted only when read */
  where: { stack?: string };
}

/** Past this many watched handles, the ones already over are let go. */
const PRUNE_AT = 64;

/**
 * Watches the timers and threads made from here on in this worker (by the globals and by the
 * `node:timers` and `node:worker_threads` exports alike), charging each to `task()`.
 */
export function watchHandles(task: () => number): { leftRunning(): Made[] } {
  let made: Made[] = [];
  let pruneAt = PRUNE_AT;
  const keep = (m: Made) => {
    made.push(m);
    if (made.length < pruneAt) return;
    made = made.filter((x) => x.alive());
    pruneAt = Math.max(PRUNE_AT, made.length * 2);
  };
  const where = (fn: Function) => {
    const holder: { stack?: string } = {};
    Error.captureStackTrace(holder, fn);
    return holder;
  };

  const timer = <F extends (...args: never[]) => unknown>(original: F, what: string): F => {
    const watched = function (this: unknown, ...args: Parameters<F>) {
      const t = original.apply(this, args) as Timer;
      keep({ what, task: task(), alive: () => t._destroyed === false && t.hasRef(), where: where(watched) });
      return t;
    };
    // setTimeout's promisified form (util.promisify) stays Node's own.
    Object.assign(watched, original);
    return watched as unknown as F;
  };
  const setTimeoutWatched = timer(globalThis.setTimeout, 'a setTimeout timer');
  const setIntervalWatched = timer(globalThis.setInterval, 'a setInterval timer');
  globalThis.setTimeout = timers.setTimeout = setTimeoutWatched;
  globalThis.setInterval = timers.setInterval = setIntervalWatched;

  const NodeWorker = workerThreads.Worker;
  class Worker extends NodeWorker {
    constructor(...args: ConstructorParameters<typeof NodeWorker>) {
      super(...args);
      // A worker's threadId turns -1 once its thread is over.
      keep({ what: 'a Worker thread', task: task(), alive: () => this.threadId >= 0, where: where(Worker) });
    }
  }
  workerThreads.Worker = Worker;
  syncBuiltinESMExports();

  return { leftRunning: () => made.filter((m) => m.alive()) };
}

/**
 * Records, for the trace, each timer or thread a task made that is still running as its worker
 * ends: the task, what it is and the stack that made it.
 */
export function recordLeftRunning(lane: number, watch: { leftRunning(): Made[] }): void {
  const rec = recorder();
  for (const m of watch.leftRunning()) {
    const frames = userFrames(m.where.stack ?? '')
      .split('\n')
      .slice(1)
      .join('\n');
    rec.rec(Rec.LEFT_RUNNING, lane, m.task, 0, 0, 0, 0, 0, frames ? `${m.what}\n${frames}` : m.what);
  }
}
