// Runs in which workers die, tasks are lost, initializers make a Pool respawn its workers and
// tasks leave promise rejections unhandled, written as the records the runtime writes for them
// (see src/trace/records.ts) and built by the real TraceBuilder. Shared by the builder, the
// analysis, the Chrome trace, the CLI and the inspector tests.
import { CALLBACK, MAIN, RecordStream, at } from './recordStream';
import type { PoolKind, Site } from '../../src/trace/model';
import type { TraceStore } from '../../src/trace/store';

export const W1 = 2;
export const W2 = 3;

/** Main, Callback and two workers of pool 0. */
function lanes(s: RecordStream): RecordStream {
  return s.lane(MAIN, 'main', 'Main').lane(CALLBACK, 'callback', 'Callback').lane(W1, 'worker', 'Worker 1', 0).lane(W2, 'worker', 'Worker 2', 0);
}

export const CRASH = {
  created: at(4, 16),
  work: at(2, 17),
  bye: at(6, 17),
  submitWork: at(10, 20),
  submitBye: at(11, 20),
  submitLast: at(12, 20),
  result: at(14, 12),
  why: 'the worker process exited with code 3',
  broken: 'BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending.',
};

/**
 * A ProcessPoolExecutor whose second worker calls process.exit(3) in `bye`: the task is lost,
 * the executor breaks, the queued third future fails, main's result() on `bye` throws.
 */
export function processExecutorCrash(rings?: number[]): { store: TraceStore; bye: number } {
  const s = lanes(new RecordStream());
  s.pool(0, 'ProcessPoolExecutor', { ms: 0.1, size: 2, site: CRASH.created });
  s.workerStart(W1, 1, 4101).workerStart(W2, 1.2, 4102);
  const work = s.submit(0, { ms: 2, api: 'submit', site: CRASH.submitWork, fn: 'work', fnSite: CRASH.work, args: '[1]' });
  const bye = s.submit(0, { ms: 2.1, api: 'submit', site: CRASH.submitBye, fn: 'bye', fnSite: CRASH.bye, args: '[]' });
  const last = s.submit(0, { ms: 2.2, api: 'submit', site: CRASH.submitLast, fn: 'work', fnSite: CRASH.work, args: '[2]' });
  s.start(W1, work.task, 2.5).start(W2, bye.task, 2.6);
  const wait = s.wait('result', CRASH.result, 3, { job: bye.job });
  s.workerDied(W2, 5, { code: 3, task: bye.task, why: CRASH.why });
  s.end(W2, bye.task, 5, 'lost', CRASH.why, MAIN);
  s.poolAction(0, 'broken', 5.5, { text: CRASH.broken });
  s.drop(last.task, 5.5);
  s.ready(bye.job, 6, 'error', wait).retrieved(bye.job, 6);
  s.ready(last.job, 6.1, 'error');
  s.end(W1, work.task, 10, 'ok', '1').ready(work.job, 10.5);
  s.poolAction(0, 'shutdown', 11);
  s.workerExit(W1, 11.5);
  s.mainEnd(12);
  return { store: s.build({ endMs: 12, rings }), bye: bye.task };
}

export const KILLED = {
  created: at(4, 16),
  crunch: at(2, 17),
  apply: at(9, 10),
  why: 'killed by SIGKILL',
  reason: 'the worker running its task died, so its result never arrives',
};

/** When an apply()'s task starts, its worker dies, the replacement starts, and the run ends on the deadlock (ms). */
interface LostApplyTimes {
  start: number;
  died: number;
  replaced: number;
  end: number;
}

/**
 * apply() of one task whose worker dies while running it: the pool starts a replacement on the
 * same lane, the task is lost, and main's get() can never return (a deadlock).
 */
function lostApply(
  kind: PoolKind,
  sites: { created: Site; fn: Site; apply: Site; reason: string },
  fn: string,
  pids: [number, number, number],
  death: { code?: number; signal?: number; why: string; taskEndToo?: boolean },
  t: LostApplyTimes,
  rings?: number[],
): { store: TraceStore; task: number; wait: number } {
  const s = lanes(new RecordStream());
  s.pool(0, kind, { ms: 0.1, size: 2, site: sites.created });
  s.workerStart(W1, 0.5, pids[0]).workerStart(W2, 0.6, pids[1]);
  const job = s.submit(0, { ms: 1, api: 'apply', site: sites.apply, fn, fnSite: sites.fn, args: '[]' });
  const wait = s.wait('get', sites.apply, 1, { job: job.job });
  s.start(W1, job.task, t.start);
  s.workerDied(W1, t.died, { code: death.code, signal: death.signal, task: job.task, why: death.why });
  if (death.taskEndToo) s.end(W1, job.task, t.died, 'lost', death.why, MAIN);
  s.workerStart(W1, t.replaced, pids[2], true);
  s.poolAction(0, 'respawn', t.replaced, { lane: W1 });
  s.deadlock(wait, job.job, sites.apply, t.end, sites.reason);
  return { store: s.build({ outcome: 'deadlock', endMs: t.end, rings }), task: job.task, wait };
}

/**
 * A Pool's worker is killed by SIGKILL while it runs `crunch` for apply(). The death is on
 * main's ring: drained first (the default order here), it arrives before the worker's own start
 * of the task.
 */
export function poolWorkerKilled(rings: number[] | undefined = [MAIN, CALLBACK, W1, W2]): { store: TraceStore; crunch: number; wait: number } {
  const sites = { created: KILLED.created, fn: KILLED.crunch, apply: KILLED.apply, reason: KILLED.reason };
  const { store, task, wait } = lostApply('Pool', sites, 'crunch', [5001, 5002, 5003], { signal: 9, why: KILLED.why }, { start: 1.5, died: 40, replaced: 41, end: 2041 }, rings);
  return { store, crunch: task, wait };
}

export const RESPAWN = {
  created: at(9, 16),
  setup: at(3, 1),
  submit: at(11, 6),
  get: at(12, 20),
  error: 'Error: database unreachable\n    at setup (/home/dev/demo/tasks.ts:3:30)',
  threwAt: at(3, 30),
};

/**
 * A Pool whose initializer throws: each of its two workers dies after the initializer failed,
 * and the Pool starts a new one that fails again; three rounds, four respawns, then terminate().
 * The one task never runs; get(25 ms) times out.
 */
export function poolInitializerRespawn(): { store: TraceStore } {
  const s = lanes(new RecordStream());
  s.pool(0, 'Pool', { ms: 0.1, size: 2, site: RESPAWN.created, initializer: 'setup', initializerSite: RESPAWN.setup });
  const job = s.submit(0, { ms: 1, api: 'applyAsync', site: RESPAWN.submit, fn: 'work', args: '[]' });
  for (let round = 0; round < 3; round++) {
    for (const lane of [W1, W2]) {
      const t = round * 10 + lane;
      s.workerStart(lane, t, 6000 + lane * 10 + round, round > 0);
      s.initRun(lane, 0, 'setup', t + 0.5, t + 2, RESPAWN.error);
      s.workerDied(lane, t + 3, { code: 1, why: RESPAWN.error });
      if (round < 2) s.poolAction(0, 'respawn', t + 3.1, { lane });
    }
  }
  s.wait('get', RESPAWN.get, 1.5, { job: job.job, timeoutMs: 25, ends: { ms: 26.5, outcome: 'timeout' } });
  s.poolAction(0, 'terminate', 30);
  s.mainEnd(31);
  return { store: s.build({ endMs: 31 }) };
}

export const REJECT = {
  created: at(4, 16),
  fn: at(2, 17),
  submit: at(20, 5),
  rejectedAt: at(3, 18),
  stack: 'Error: lost\n    at t (file:///home/dev/demo/tasks.ts:3:18)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
};

/** Two tasks of one loop each leave a promise rejection nobody handles, and still return 1. */
export function unhandledRejections(): { store: TraceStore; tasks: number[] } {
  const s = lanes(new RecordStream());
  s.pool(0, 'ThreadPool', { ms: 0.1, size: 2, site: REJECT.created });
  s.workerStart(W1, 0.5, 7000).workerStart(W2, 0.6, 7000);
  const jobs = [0, 1].map((k) => s.submit(0, { ms: 1 + k / 10, api: 'applyAsync', site: REJECT.submit, fn: 't', fnSite: REJECT.fn, args: `[${k}]` }));
  jobs.forEach(({ job, task }, k) => {
    const lane = k === 0 ? W1 : W2;
    s.start(lane, task, 2 + k)
      .unhandled(lane, 2.5 + k, task, REJECT.stack)
      .end(lane, task, 3 + k, 'ok', '1')
      .ready(job, 4 + k);
  });
  s.poolAction(0, 'close', 6);
  s.wait('join', at(24, 14), 6, { ends: { ms: 7, outcome: 'ok' } });
  s.workerExit(W1, 6.5).workerExit(W2, 6.6);
  s.mainEnd(8);
  return { store: s.build({ endMs: 8 }), tasks: jobs.map((j) => j.task) };
}

export const EXIT = {
  created: at(4, 16),
  bye: at(1, 17),
  apply: at(5, 28),
  why: 'the worker thread exited with code 3 (process.exit(3) in the task)',
  reason: 'the worker running its task died, so its result never arrives',
};

/** Issue 8's first case: a ThreadPool task calls process.exit(3); its thread is replaced, apply() waits for ever. Told twice: WORKER died and TASK_END lost. */
export function threadWorkerExit(): { store: TraceStore } {
  const sites = { created: EXIT.created, fn: EXIT.bye, apply: EXIT.apply, reason: EXIT.reason };
  return lostApply('ThreadPool', sites, 'bye', [7000, 7000, 7000], { code: 3, why: EXIT.why, taskEndToo: true }, { start: 1.2, died: 3, replaced: 3.5, end: 2003 });
}

export const WORKER_SCENARIOS = { processExecutorCrash, poolWorkerKilled, poolInitializerRespawn, unhandledRejections, threadWorkerExit };
