// Whole runs, modelled as the runtime records them, shared by the analysis tests (which assert
// their findings) and the Chrome trace tests (which round-trip them).
import { MAIN, CALLBACK, RunBuilder, at, ms } from './runBuilder';

export const SITES = {
  poolCreated: at(4, 16),
  handler: at(6, 1),
  square: at(2, 17),
  firstApply: at(10, 8),
  loopApply: at(12, 10),
  registered: at(10, 40),
  join: at(14, 14),
};

/** A callback that sleeps 1.2 s while seven more results arrive behind it. */
export function blockingCallback(): RunBuilder {
  const r = new RunBuilder(2);
  r.pool({ id: 0, kind: 'ThreadPool', site: SITES.poolCreated, closed: 1214 });
  const first = r.job({ id: 0, pool: 0, api: 'applyAsync', site: SITES.firstApply, fnSite: SITES.square, submitted: 0.05, resultIn: 11, readyAt: 1212 });
  r.task(first, { name: 'square', worker: 1, start: 0.1, end: 10, args: '[0]', text: '0' });
  r.callback(first, { kind: 'result', name: 'handler', site: SITES.handler, registeredAt: SITES.registered, ran: { start: 12, end: 1212 } });
  for (let k = 1; k <= 7; k++) {
    const job = r.job({ id: k, pool: 0, api: 'applyAsync', site: SITES.loopApply, submitted: 0.1 + k / 100, resultIn: 1212 + k, readyAt: 1212.5 + k });
    r.task(job, { name: 'square', worker: ((k - 1) % 2) + 1, start: 10 * k, end: 10 * k + 15, args: `[${k}]`, text: String(k * k) });
    r.callback(job, { kind: 'result', name: 'handler', site: SITES.handler, registeredAt: at(12, 42), ran: { start: 1212 + k, end: 1212.5 + k } });
  }
  r.log(CALLBACK, 12.5, 'handling 0');
  r.wait({ name: 'join', site: SITES.join, start: 1214, end: 1221 });
  r.mark('close', MAIN, 1214, 0);
  r.mainReturned(1222);
  return r;
}

export const THREW = {
  onResult: at(8, 1),
  registered: at(14, 44),
  get: at(16, 28),
  apply0: at(14, 22),
  apply1: at(15, 22),
  error: "TypeError: Cannot read properties of undefined (reading 'name')\n    at onResult (/home/dev/demo/tasks.ts:9:20)",
  reason: "the pool's result handler died when a callback threw, so this result can never become ready",
};

/** A result callback throws, the result handler dies, and main then waits forever on get(). */
export function throwingCallbackDeadlock(): RunBuilder {
  const r = new RunBuilder(2);
  r.store.meta.outcome = 'deadlock';
  r.pool({ id: 0, kind: 'ThreadPool', site: SITES.poolCreated, handlerDied: { ts: 52, error: THREW.error } });
  const j0 = r.job({ id: 0, pool: 0, api: 'applyAsync', site: THREW.apply0, submitted: 1, resultIn: 51, status: 'pending', retrieved: false });
  r.task(j0, { name: 'fetchUser', worker: 1, start: 1, end: 50, text: '{}' });
  r.callback(j0, { kind: 'result', name: 'onResult', site: THREW.onResult, registeredAt: THREW.registered, ran: { start: 51, end: 52, status: 'threw', text: THREW.error } });
  r.mark('handler-died', CALLBACK, 52, 0, THREW.error);
  const j1 = r.job({ id: 1, pool: 0, api: 'applyAsync', site: THREW.apply1, submitted: 2, status: 'pending', retrieved: false });
  r.task(j1, { name: 'fetchUser', worker: 2, start: 2, end: 60, text: '{"name":"b"}' });
  r.wait({ name: 'get', site: THREW.get, start: 3, end: 2060, job: 1, status: 'running' });
  r.store.meta.deadlock = { ts: ms(2060), site: THREW.get, job: 1, reason: THREW.reason };
  r.mark('deadlock', MAIN, 2060, 0, THREW.reason);
  r.log(1, 52, THREW.error, 'stderr');
  r.store.end = ms(2060);
  return r;
}

export const INIT = {
  setup: at(3, 1),
  created: at(9, 16),
  submit: at(11, 6),
  error: 'Error: database unreachable\n    at setup (/home/dev/demo/tasks.ts:3:30)',
  broken: 'BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore',
};

/** A ThreadPool whose initializer throws in both workers; its one task never runs, and (docs/SEMANTICS.md A11) no worker is replaced. */
export function failingInitializer(): RunBuilder {
  const r = new RunBuilder(2);
  r.pool({ id: 0, kind: 'ThreadPool', site: INIT.created, initializer: 'setup', initializerSite: INIT.setup, terminated: 500 });
  r.init(r.store.pools.get(0)!, { worker: 1, start: 0.5, end: 3, status: 'error', text: INIT.error });
  r.init(r.store.pools.get(0)!, { worker: 2, start: 0.6, end: 3.5, status: 'error', text: INIT.error });
  r.job({ id: 0, pool: 0, api: 'applyAsync', site: INIT.submit, submitted: 4, status: 'pending', retrieved: false });
  r.mark('terminate', MAIN, 500, 0);
  r.mainReturned(501);
  return r;
}

/** The same failure in a ThreadPoolExecutor: it breaks, and the pending future fails with BrokenThreadPool. */
export function brokenExecutor(): RunBuilder {
  const r = new RunBuilder(1);
  r.pool({
    id: 0,
    kind: 'ThreadPoolExecutor',
    size: 1,
    site: INIT.created,
    initializer: 'setup',
    initializerSite: INIT.setup,
    broken: { ts: 3, cause: INIT.broken },
    shutdown: 20,
  });
  r.init(r.store.pools.get(0)!, { worker: 1, start: 0.5, end: 3, status: 'error', text: INIT.error });
  r.job({ id: 0, pool: 0, api: 'submit', site: INIT.submit, submitted: 4, status: 'error', retrieved: false });
  r.mark('broken', MAIN, 3, 0, INIT.broken);
  r.mainReturned(21);
  return r;
}

export const MAP = {
  mapAsync: at(20, 8),
  parse: at(2, 17),
  onError: at(16, 1),
  onDone: at(15, 1),
  rows: ['ok', 'ValueError: bad row 1', 'ok', 'ValueError: bad row 3', 'ValueError: bad row 4'],
};

/** mapAsync over 5 rows where 3 fail; the error callback hears of one. */
export function mapWithFailures(): RunBuilder {
  const r = new RunBuilder(2);
  r.pool({ id: 0, kind: 'ThreadPool', site: SITES.poolCreated, closed: 45 });
  const job = r.job({ id: 0, pool: 0, api: 'mapAsync', site: MAP.mapAsync, fnSite: MAP.parse, submitted: 0, resultIn: 40.2, readyAt: 41, status: 'error' });
  const slots = [
    [1, 0, 10],
    [2, 0, 30],
    [1, 10, 20],
    [1, 20, 25], // the first failure to arrive: row 3
    [2, 30, 40],
  ];
  slots.forEach(([worker, start, end], row) => {
    const failed = MAP.rows[row] !== 'ok';
    r.task(job, {
      name: 'parse',
      worker,
      start,
      end,
      status: failed ? 'error' : 'ok',
      text: failed ? `${MAP.rows[row]}\n    at parse (/home/dev/demo/tasks.ts:2:40)` : `row ${row}`,
      args: `[${row}]`,
    });
  });
  r.callback(job, { kind: 'result', name: 'onDone', site: MAP.onDone, registeredAt: at(20, 40) });
  r.callback(job, { kind: 'error', name: 'onError', site: MAP.onError, registeredAt: at(20, 60), ran: { start: 40.5, end: 41 } });
  r.log(CALLBACK, 40.7, 'failed: ValueError: bad row 3');
  r.wait({ name: 'join', site: at(22, 14), start: 45, end: 46 });
  r.mainReturned(47);
  return r;
}

export const SLEEP = { submit: at(20, 10), sleepSync: at(22, 3), work: at(2, 17) };

/** Four 200 ms tasks on four workers while main sleeps synchronously for a second (or spins, leaving no span). */
export function mainSleeps(how: 'sleepSync' | 'busy loop' = 'sleepSync'): RunBuilder {
  const r = new RunBuilder(4);
  r.pool({ id: 0, kind: 'ThreadPool', size: 4, site: SITES.poolCreated, closed: 1010 });
  for (let k = 0; k < 4; k++) {
    const job = r.job({ id: k, pool: 0, api: 'applyAsync', site: SLEEP.submit, fnSite: SLEEP.work, submitted: 0.5, resultIn: 1001, readyAt: 1002 + k });
    r.task(job, { name: 'work', worker: k + 1, start: 1, end: 201 });
    r.callback(job, { kind: 'result', name: 'report', site: at(6, 1), registeredAt: at(20, 40), ran: { start: 1001 + k, end: 1001.5 + k } });
  }
  if (how === 'sleepSync') r.wait({ name: 'sleepSync', site: SLEEP.sleepSync, start: 1, end: 1001 });
  r.wait({ name: 'join', site: at(24, 14), start: 1010, end: 1011 });
  r.mainReturned(1012);
  return r;
}

export const UNRETRIEVED = { parse: at(2, 17), submit: at(30, 20), load: at(5, 17), loop: at(33, 22), checked: at(36, 20) };

/** An executor whose failing futures nobody looks at: one submit, and a loop of three. */
export function unretrievedErrors(): RunBuilder {
  const r = new RunBuilder(2);
  r.pool({ id: 0, kind: 'ThreadPoolExecutor', site: SITES.poolCreated, shutdown: 100 });
  const one = r.job({
    id: 0,
    pool: 0,
    api: 'submit',
    site: UNRETRIEVED.submit,
    fnSite: UNRETRIEVED.parse,
    submitted: 1,
    resultIn: 6,
    readyAt: 6,
    status: 'error',
    retrieved: false,
  });
  r.task(one, { name: 'parse', worker: 1, start: 1, end: 5, status: 'error', text: "ValueError: invalid literal 'x'\n    at parse (/home/dev/demo/tasks.ts:2:40)" });
  for (let k = 1; k <= 3; k++) {
    const job = r.job({
      id: k,
      pool: 0,
      api: 'submit',
      site: UNRETRIEVED.loop,
      fnSite: UNRETRIEVED.load,
      submitted: 2,
      resultIn: 10 + k,
      readyAt: 10 + k,
      status: 'error',
      retrieved: false,
    });
    r.task(job, { name: 'load', worker: 2, start: 2 + k, end: 3 + k, status: 'error', text: `Error: ENOENT file${k}.csv` });
  }
  const checked = r.job({ id: 4, pool: 0, api: 'submit', site: UNRETRIEVED.checked, submitted: 20, resultIn: 25, readyAt: 25, status: 'error', retrieved: true });
  r.task(checked, { name: 'parse', worker: 1, start: 20, end: 24, status: 'error', text: 'ValueError: seen' });
  r.mainReturned(101);
  return r;
}

export const OPEN = { leftOpen: at(4, 16), busy: at(40, 16), closed: at(50, 16) };

/** Three pools at main's end: one left open and idle, one open with work in flight, one closed in time. */
export function poolsAtMainEnd(): RunBuilder {
  const r = new RunBuilder(2);
  r.pool({ id: 0, kind: 'ThreadPool', site: OPEN.leftOpen, terminated: 300 }); // terminated by the runtime after main returned
  r.pool({ id: 1, kind: 'ThreadPoolExecutor', site: OPEN.busy });
  r.pool({ id: 2, kind: 'ThreadPool', site: OPEN.closed, closed: 150 });
  const busy = r.job({ id: 0, pool: 1, api: 'submit', site: at(41, 12), submitted: 100, status: 'pending', retrieved: false });
  r.task(busy, { name: 'crunch', worker: 1, start: 101, end: 300, status: 'running' });
  r.mainReturned(200);
  return r;
}

export const ALL_SCENARIOS = { blockingCallback, throwingCallbackDeadlock, failingInitializer, brokenExecutor, mapWithFailures, mainSleeps, unretrievedErrors, poolsAtMainEnd };
