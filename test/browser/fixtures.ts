// Hand-built traces for the browser tests: each one shapes a situation the inspector must
// make visible, built through the same TraceStore API the runtime's trace builder uses.
import { TraceStore } from '../../src/trace/store';
import type { WireFinding } from '../../src/protocol/wire';
import { analyze } from '../../src/analysis/index';
import { CALLBACK, MAIN, RecordStream, at } from '../unit/recordStream';
import { allSpans } from '../storeSpans';

export const TASK_FILE = '/workspace/examples/callback-blocks.ts';
export const XSS = '<img src=x onerror=alert(1)>';
const site = (line: number, col = 3) => `${TASK_FILE}:${line}:${col}`;
const ms = 1000;

export interface Fixture {
  store: TraceStore;
  findings: WireFinding[];
  /** the span the slow callback landed on, and a task with its whole chain */
  slowCallback: number;
  chainTask: number;
}

/**
 * Four workers run eight `square` tasks; the result callback of job 2 sleeps 250 ms on the
 * callback thread, so the callbacks of the jobs behind it wait, and main's get() of job 5 is
 * released late. One task fails, one queued task is cancelled, a task prints HTML.
 */
export function blockingCallbackTrace(): Fixture {
  const s = new TraceStore({ file: TASK_FILE, startedAt: '2026-01-01T00:00:00.000Z', outcome: 'returned' });
  s.addLane({ id: 0, name: 'Main', kind: 'main', pool: -1 });
  s.addLane({ id: 1, name: 'Callback', kind: 'callback', pool: -1 });
  for (let w = 1; w <= 4; w++) s.addLane({ id: 1 + w, name: `Worker ${w}`, kind: 'worker', pool: 0 });
  s.pools.set(0, { id: 0, kind: 'ThreadPool', size: 4, created: 0.5 * ms, respawns: 0, site: { file: TASK_FILE, line: 9, col: 3 } });
  s.addMark({ lane: 0, ts: 0.5 * ms, kind: 'pool-created', pool: 0 });
  for (let w = 1; w <= 4; w++) s.addMark({ lane: 1 + w, ts: (1 + w * 0.2) * ms, kind: 'worker-start', pool: 0 });

  let chainTask = -1,
    slowCallback = -1;
  let cbFree = 0;
  const workerFree = [3, 3, 3, 3].map((x) => x * ms);
  for (let job = 0; job < 8; job++) {
    const submitted = (2 + job * 0.5) * ms;
    const w = job % 4;
    const start = Math.max(submitted + 0.3 * ms, workerFree[w]);
    const dur = (18 + ((job * 7) % 5) * 6) * ms;
    const end = start + dur;
    workerFree[w] = end + 0.2 * ms;
    const failed = job === 6;
    const cancelled = job === 7;
    s.jobs.set(job, {
      id: job,
      pool: 0,
      api: 'applyAsync',
      site: { file: TASK_FILE, line: 14, col: 5 },
      submitted,
      tasks: [job],
      callbacks: [{ kind: failed ? 'error' : 'result', name: failed ? 'onError' : 'onResult', site: { file: TASK_FILE, line: 4, col: 1 } }],
      status: failed ? 'error' : cancelled ? 'cancelled' : 'ok',
      retrieved: true,
    });
    if (cancelled) {
      s.addSpan({
        lane: 2 + w,
        kind: 'task',
        status: 'cancelled',
        name: 'square',
        start: 150 * ms,
        end: 150 * ms,
        queued: submitted,
        taskId: job,
        job,
        api: 'applyAsync',
        site: site(14, 5),
        args: `[${job}]`,
      });
      continue;
    }
    const task = s.addSpan({
      lane: 2 + w,
      kind: 'task',
      status: failed ? 'error' : 'ok',
      name: job === 3 ? XSS : 'square',
      start,
      end,
      queued: submitted,
      taskId: job,
      job,
      api: 'applyAsync',
      site: site(14, 5),
      args: `[${job}]`,
      text: failed ? 'Error: cannot square 6\n    at square (callback-blocks.ts:2:9)' : String(job * job),
    });
    if (job === 5) chainTask = task;
    s.addLog({ lane: 2 + w, ts: start + 2 * ms, stream: 'stdout', text: job === 3 ? XSS : `squaring ${job}` });
    const cbStart = Math.max(end + 0.1 * ms, cbFree);
    const cbDur = job === 2 ? 250 * ms : 1.5 * ms;
    const cb = s.addSpan({
      lane: 1,
      kind: 'callback',
      status: 'ok',
      name: failed ? 'onError' : 'onResult',
      start: cbStart,
      end: cbStart + cbDur,
      job,
      cbKind: failed ? 'error' : 'result',
      site: site(4, 1),
      site2: site(14, 40),
    });
    if (job === 2) slowCallback = cb;
    cbFree = cbStart + cbDur;
    s.jobs.set(job, { ...s.jobs.get(job)!, resultIn: end + 0.05 * ms, readyAt: cbFree });
  }
  const release = s.jobs.get(5)!.readyAt!;
  s.addSpan({ lane: 0, kind: 'wait', status: 'ok', name: 'get', start: 8 * ms, end: release + 0.05 * ms, job: 5, site: site(20, 22) });
  s.addLog({ lane: 0, ts: release + 0.2 * ms, stream: 'stdout', text: 'got 25' });
  s.addMark({ lane: 0, ts: release + 1 * ms, kind: 'close', pool: 0 });
  for (let w = 1; w <= 4; w++) s.addMark({ lane: 1 + w, ts: release + 2 * ms, kind: 'worker-exit', pool: 0 });
  s.addMark({ lane: 0, ts: release + 3 * ms, kind: 'main-returned', pool: -1 });
  const findings: WireFinding[] = [
    {
      rule: 'callback-blocked',
      severity: 'warning',
      message: `callback onResult ran 250 ms on the callback thread; the results of 5 jobs waited behind it`,
      site: { file: TASK_FILE, line: 4, col: 1 },
      related: [{ message: 'registered here', site: { file: TASK_FILE, line: 14, col: 40 } }],
      spans: [slowCallback],
    },
  ];
  return { store: s, findings, slowCallback, chainTask };
}

export interface ProcessFixture {
  store: TraceStore;
  findings: WireFinding[];
  /** the task whose process was killed (its span), and the times of that death and of its replacement's start, µs */
  lostTask: number;
  diedAt: number;
  replacedAt: number;
  unhandledAt: number;
}

/** The lanes of two workers, Worker 1 and Worker 2 */
const W1 = 2,
  W2 = 3;

/** A record stream holding Main, Callback, two worker lanes and pool 0 of `kind`, made at 4:16. */
function twoWorkerPool(kind: 'Pool' | 'ThreadPool'): RecordStream {
  const s = new RecordStream();
  s.lane(MAIN, 'main', 'Main').lane(CALLBACK, 'callback', 'Callback').lane(W1, 'worker', 'Worker 1', 0).lane(W2, 'worker', 'Worker 2', 0);
  s.pool(0, kind, { ms: 0.5, size: 2, site: at(4, 16) });
  return s;
}

/**
 * A process Pool of two workers, written as the runtime's records and built by the real trace
 * builder: Worker 1's process (pid 5001) is killed by SIGKILL while it runs task 3, the Pool
 * starts pid 5003 in its place, which runs task 4; a task on Worker 2 (pid 5002) leaves a
 * promise rejection unhandled. main's get() on task 3 times out; terminate() ends the pool.
 */
export function processPoolTrace(): ProcessFixture {
  const s = twoWorkerPool('Pool');
  s.workerStart(W1, 1, 5001).workerStart(W2, 1.2, 5002);
  const submit = (k: number) => s.submit(0, { ms: 2 + k / 10, api: 'applyAsync', site: at(9, 10), fn: 'crunch', fnSite: at(2, 17), args: `[${k}]` });
  const [one, two, three] = [1, 2, 3].map(submit);
  s.start(W1, one.task, 3).end(W1, one.task, 100, 'ok', '1').ready(one.job, 101);
  s.start(W2, two.task, 3.5).unhandled(W2, 50, two.task, 'Error: lost\n    at crunch (/home/dev/demo/tasks.ts:3:18)').end(W2, two.task, 110, 'ok', '4').ready(two.job, 111);
  s.start(W1, three.task, 120);
  s.wait('get', at(11, 20), 130, { job: three.job, timeoutMs: 500, ends: { ms: 630, outcome: 'timeout' } });
  s.workerDied(W1, 400, { signal: 9, task: three.task, why: 'killed by SIGKILL' });
  s.workerStart(W1, 600, 5003, true);
  s.poolAction(0, 'respawn', 600, { lane: W1 });
  const four = s.submit(0, { ms: 640, api: 'applyAsync', site: at(13, 10), fn: 'crunch', fnSite: at(2, 17), args: '[4]' });
  s.start(W1, four.task, 650).end(W1, four.task, 750, 'ok', '16').ready(four.job, 751);
  s.poolAction(0, 'terminate', 800);
  s.workerExit(W1, 805).workerExit(W2, 806);
  s.mainEnd(850);
  const store = s.build({ endMs: 850 });
  const lostTask = allSpans(store).find((x) => x.status === 'lost')!.index;
  return { store, findings: analyze(store), lostTask, diedAt: 400_000, replacedAt: 600_000, unhandledAt: 50_000 };
}

/**
 * A ThreadPool of two workers runs ten `step` tasks, the first four kept and the six past the
 * span budget (4) only counted: three on each worker, one of them failed. XSS is a task's result.
 */
export function pastBudgetTrace(): TraceStore {
  const s = twoWorkerPool('ThreadPool');
  const tasks = Array.from({ length: 10 }, (_, k) => s.submit(0, { ms: 1 + k / 10, api: 'applyAsync', site: at(9, 10), fn: 'step', fnSite: at(2, 17), args: `[${k}]` }));
  tasks.forEach(({ job, task }, k) => {
    const lane = k % 2 ? W2 : W1;
    const from = 3 + Math.floor(k / 2) * 10;
    s.start(lane, task, from)
      .end(lane, task, from + 8, k === 7 ? 'error' : 'ok', k === 7 ? 'Error: step 7' : XSS)
      .ready(job, from + 8.5, k === 7 ? 'error' : 'ok');
  });
  s.mainEnd(60);
  return s.build({ endMs: 60, maxSpans: 4 });
}
