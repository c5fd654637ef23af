// Hand-built traces for the browser tests: each one shapes a situation the inspector must
// make visible, built through the same TraceStore API the runtime's trace builder uses.
import { TraceStore } from '../../src/trace/store';
import type { WireFinding } from '../../src/protocol/wire';

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

  let chainTask = -1, slowCallback = -1;
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
      id: job, pool: 0, api: 'applyAsync', site: { file: TASK_FILE, line: 14, col: 5 }, submitted, tasks: [job],
      callbacks: [{ kind: failed ? 'error' : 'result', name: failed ? 'onError' : 'onResult', site: { file: TASK_FILE, line: 4, col: 1 } }],
      status: failed ? 'error' : cancelled ? 'cancelled' : 'ok', retrieved: true,
    });
    if (cancelled) {
      s.addSpan({ lane: 2 + w, kind: 'task', status: 'cancelled', name: 'square', start: 150 * ms, end: 150 * ms, queued: submitted, taskId: job, job, api: 'applyAsync', site: site(14, 5), args: `[${job}]` });
      continue;
    }
    const task = s.addSpan({
      lane: 2 + w, kind: 'task', status: failed ? 'error' : 'ok', name: job === 3 ? XSS : 'square', start, end, queued: submitted, taskId: job, job,
      api: 'applyAsync', site: site(14, 5), args: `[${job}]`, text: failed ? 'Error: cannot square 6\n    at square (callback-blocks.ts:2:9)' : String(job * job),
    });
    if (job === 5) chainTask = task;
    s.addLog({ lane: 2 + w, ts: start + 2 * ms, stream: 'stdout', text: job === 3 ? XSS : `squaring ${job}` });
    const cbStart = Math.max(end + 0.1 * ms, cbFree);
    const cbDur = job === 2 ? 250 * ms : 1.5 * ms;
    const cb = s.addSpan({
      lane: 1, kind: 'callback', status: 'ok', name: failed ? 'onError' : 'onResult', start: cbStart, end: cbStart + cbDur, job, cbKind: failed ? 'error' : 'result',
      site: site(4, 1), site2: site(14, 40),
    });
    if (job === 2) slowCallback = cb;
    cbFree = cbStart + cbDur;
    s.jobs.get(job)!.resultIn = end + 0.05 * ms;
    s.jobs.get(job)!.readyAt = cbFree;
  }
  const release = s.jobs.get(5)!.readyAt!;
  s.addSpan({ lane: 0, kind: 'wait', status: 'ok', name: 'get', start: 8 * ms, end: release + 0.05 * ms, job: 5, site: site(20, 22) });
  s.addLog({ lane: 0, ts: release + 0.2 * ms, stream: 'stdout', text: 'got 25' });
  s.addMark({ lane: 0, ts: release + 1 * ms, kind: 'close', pool: 0 });
  for (let w = 1; w <= 4; w++) s.addMark({ lane: 1 + w, ts: release + 2 * ms, kind: 'worker-exit', pool: 0 });
  s.addMark({ lane: 0, ts: release + 3 * ms, kind: 'main-returned', pool: -1 });
  const findings: WireFinding[] = [
    {
      rule: 'callback-blocked', severity: 'warning', message: `callback onResult ran 250 ms on the callback thread; the results of 5 jobs waited behind it`,
      site: { file: TASK_FILE, line: 4, col: 1 }, related: [{ message: 'registered here', site: { file: TASK_FILE, line: 14, col: 40 } }], spans: [slowCallback],
    },
  ];
  return { store: s, findings, slowCallback, chainTask };
}
