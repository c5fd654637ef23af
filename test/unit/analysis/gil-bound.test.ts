import assert from 'node:assert/strict';
import type { PoolKind } from '../../../src/trace/model';
import { RunBuilder, at } from '../runBuilder';
import { findings, spanIndices } from './findings';

const POOL_SITE = at(12, 10);
const SUBMIT = at(15, 22);

/**
 * `tasks` tasks of `crunch` on a pool of `workers` workers, all started together and each
 * ending after `wallMs`, each having computed for `cpuMs` on its own thread (undefined: not measured).
 */
function burst(
  kind: PoolKind,
  o: { workers: number; tasks: number; wallMs: number; cpuMs: number | undefined; waitMs?: number; from?: number; run?: RunBuilder; job?: number },
): RunBuilder {
  const run = o.run ?? new RunBuilder(o.workers);
  run.store.meta.language = 'python';
  if (!run.store.pools.has(0)) run.pool({ id: 0, kind, site: POOL_SITE, size: o.workers, shutdown: 10_000 });
  const jobId = o.job ?? 0;
  const job = run.job({ id: jobId, pool: 0, api: 'map', site: SUBMIT, submitted: o.from ?? 0 });
  for (let k = 0; k < o.tasks; k++) {
    // Rounds of `workers` tasks, one after another on each worker.
    const start = (o.from ?? 0) + Math.floor(k / o.workers) * o.wallMs;
    const us = (ms: number | undefined) => (ms === undefined ? undefined : ms * 1000);
    run.task(job, { name: 'crunch', worker: (k % o.workers) + 1, start, end: start + o.wallMs, cpu: us(o.cpuMs), cpuWait: us(o.waitMs) });
  }
  return run;
}

describe('gil-bound', () => {
  it('reports thread pool workers that ran side by side on one core, with the measured parallelism, at the pool', () => {
    // 4 workers, 8 tasks of 100 ms CPU each; each took 400 ms of wall time, taking turns on the GIL.
    const run = burst('ThreadPoolExecutor', { workers: 4, tasks: 8, wallMs: 400, cpuMs: 98 });
    const [f, ...more] = findings(run, 'gil-bound');
    assert.equal(more.length, 0);
    assert.equal(f.severity, 'warning');
    assert.equal(
      f.message,
      "ThreadPoolExecutor's 4 workers ran 8 tasks side by side for 800 ms, but those tasks used 784 ms of CPU: a parallelism of 0.98, at most one core's worth. " +
        'Python runs Python code in one thread at a time (the GIL), so CPU-bound tasks gain nothing from more threads: a ProcessPoolExecutor runs them on every core',
    );
    assert.deepEqual(f.site, POOL_SITE);
    assert.deepEqual(f.related, [{ message: '8 tasks of `crunch` submitted here ran 3.2 s in all and computed for 784 ms of it', site: SUBMIT }]);
    assert.deepEqual(
      f.spans,
      spanIndices(run, (s) => s.kind === 'task'),
    );
  });

  it('suggests multiprocessing.Pool for a ThreadPool', () => {
    const [f] = findings(burst('ThreadPool', { workers: 2, tasks: 4, wallMs: 200, cpuMs: 100 }), 'gil-bound');
    assert.match(
      f.message,
      /^ThreadPool's 2 workers ran 4 tasks side by side for 400 ms, but those tasks used 400 ms of CPU: a parallelism of 1\.00.*a multiprocessing\.Pool runs them on every core$/,
    );
  });

  it('tells a GIL-bound pool on a busy machine, which got a third of a core, by the time its threads waited for a CPU', () => {
    // Each task computed 33 ms and waited 60 ms for a CPU that other processes held: ready 0.93 of a core.
    const [f] = findings(burst('ThreadPool', { workers: 4, tasks: 8, wallMs: 400, cpuMs: 33, waitMs: 60 }), 'gil-bound');
    assert.match(
      f.message,
      /^ThreadPool's 4 workers ran 8 tasks side by side for 800 ms, but those tasks used 264 ms of CPU: a parallelism of 0\.33, at most one core's worth \(their threads also waited 480 ms for a CPU that other work on the machine held\)\. /,
    );
    assert.deepEqual(
      findings(burst('ThreadPool', { workers: 4, tasks: 8, wallMs: 400, cpuMs: 33 }), 'gil-bound'),
      [],
      'without the wait, a third of a core looks like waiting on I/O',
    );
  });

  it('stays quiet when the threads really ran in parallel (code that releases the GIL, a free-threaded build)', () => {
    assert.deepEqual(findings(burst('ThreadPool', { workers: 4, tasks: 8, wallMs: 100, cpuMs: 95 }), 'gil-bound'), []);
  });

  it('stays quiet for I/O-bound tasks, which is what thread pools are for', () => {
    assert.deepEqual(findings(burst('ThreadPoolExecutor', { workers: 8, tasks: 64, wallMs: 200, cpuMs: 2 }), 'gil-bound'), []);
    assert.deepEqual(
      findings(burst('ThreadPoolExecutor', { workers: 8, tasks: 64, wallMs: 200, cpuMs: 2, waitMs: 5 }), 'gil-bound'),
      [],
      'a wake-up on a busy machine waits a little',
    );
  });

  it('stays quiet when the tasks did not run side by side (one worker busy at a time)', () => {
    const run = burst('ThreadPoolExecutor', { workers: 1, tasks: 6, wallMs: 100, cpuMs: 99 });
    assert.deepEqual(findings(run, 'gil-bound'), []);
  });

  it('stays quiet for process pools, whose workers each have a core', () => {
    for (const kind of ['Pool', 'ProcessPoolExecutor'] as const) {
      assert.deepEqual(findings(burst(kind, { workers: 4, tasks: 8, wallMs: 400, cpuMs: 98 }), 'gil-bound'), [], kind);
    }
  });

  it('stays quiet when CPU time was not measured (the JavaScript runtime) or too little work was done to tell', () => {
    assert.deepEqual(findings(burst('ThreadPool', { workers: 4, tasks: 8, wallMs: 400, cpuMs: undefined }), 'gil-bound'), []);
    assert.deepEqual(findings(burst('ThreadPool', { workers: 4, tasks: 8, wallMs: 4, cpuMs: 1 }), 'gil-bound'), []);
  });

  it('counts only the bursts that were bound: a pause of I/O-bound work between two CPU-bound maps is left out', () => {
    const run = burst('ThreadPoolExecutor', { workers: 4, tasks: 4, wallMs: 400, cpuMs: 100 });
    burst('ThreadPoolExecutor', { run, job: 1, workers: 4, tasks: 4, wallMs: 300, cpuMs: 1, from: 1000 });
    burst('ThreadPoolExecutor', { run, job: 2, workers: 4, tasks: 4, wallMs: 400, cpuMs: 100, from: 2000 });
    const [f, ...more] = findings(run, 'gil-bound');
    assert.equal(more.length, 0);
    assert.match(f.message, /ran 8 tasks side by side for 800 ms, but those tasks used 800 ms of CPU: a parallelism of 1\.00/);
    assert.equal(f.spans.length, 8);
  });
});
