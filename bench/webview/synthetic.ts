// Synthetic traces of a given size for the inspector benchmark: a pool of 16 workers running
// tasks back to back, each task's result callback on the Callback lane, Main waiting now and
// then, a printed line every so often. Seeded, so every run draws the same picture.
import { TraceStore } from '../../src/trace/store';

export function syntheticTrace(spans: number, workers = 16, seed = 42): TraceStore {
  let x = seed >>> 0;
  const rand = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const s = new TraceStore({ file: `/bench/synthetic-${spans}.ts`, startedAt: '2026-01-01T00:00:00.000Z', outcome: 'returned' });
  s.addLane({ id: 0, name: 'Main', kind: 'main', pool: -1 });
  s.addLane({ id: 1, name: 'Callback', kind: 'callback', pool: -1 });
  for (let w = 1; w <= workers; w++) s.addLane({ id: 1 + w, name: `Worker ${w}`, kind: 'worker', pool: 0 });
  s.addMark({ lane: 0, ts: 0, kind: 'pool-created', pool: 0 });
  const free = new Float64Array(workers).fill(10);
  let cbFree = 0,
    job = 0,
    waitFrom = 0;
  const site = '/bench/synthetic.ts:12:5';
  while (s.spanCount < spans) {
    const w = job % workers;
    const submitted = Math.max(0, free[w] - 40 - rand() * 200);
    const start = free[w] + rand() * 20;
    const end = start + 40 + rand() * 400 * (rand() < 0.02 ? 20 : 1);
    free[w] = end;
    const status = rand() < 0.01 ? 'error' : 'ok';
    s.addSpan({
      lane: 1 + 1 + w,
      kind: 'task',
      status,
      name: rand() < 0.5 ? 'square' : 'fetch_page',
      start,
      end,
      queued: submitted,
      taskId: job,
      job,
      api: 'applyAsync',
      site,
      args: `[${job}]`,
      text: status === 'ok' ? String(job) : 'Error: boom',
    });
    if (s.spanCount < spans) {
      const cs = Math.max(end + 5, cbFree);
      cbFree = cs + 5 + rand() * 30;
      s.addSpan({ lane: 1, kind: 'callback', status: rand() < 0.001 ? 'threw' : 'ok', name: 'on_result', start: cs, end: cbFree, job, cbKind: 'result', site });
    }
    if (job % 4096 === 4095 && s.spanCount < spans) {
      s.addSpan({ lane: 0, kind: 'wait', status: 'ok', name: 'get', start: waitFrom, end: cbFree, job, site });
      waitFrom = cbFree + 50;
    }
    if (job % 997 === 0) s.addLog({ lane: 2 + w, ts: start + 5, stream: 'stdout', text: `progress ${job}` });
    job++;
  }
  s.addMark({ lane: 0, ts: s.end, kind: 'close', pool: 0 });
  return s;
}
