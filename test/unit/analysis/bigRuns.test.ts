// A big run's findings and export: every list a rule or the exporter builds grows with the
// run, and none of them may be spread into a call's arguments (that overflows the stack from
// about 120k elements, losing the findings at the end of a 1M-task run).
import assert from 'node:assert/strict';
import { analyze, analyzeYielding } from '../../../src/analysis/index';
import { exported } from '../trace/files';
import { RunBuilder, at } from '../runBuilder';
import { findings } from './findings';

const TASKS = 200_000;

/** TASKS one-task jobs from one line, all finished by 200 ms; each result taken in at `resultIn(k)` ms. */
function burst(resultIn: (k: number) => number, readyAt?: (k: number) => number): RunBuilder {
  const run = new RunBuilder(2);
  run.pool({ id: 0, kind: 'ThreadPool', site: at(3) });
  for (let k = 0; k < TASKS; k++) {
    const end = (k + 1) / 1000;
    const job = run.job({ id: k + 1, pool: 0, api: 'applyAsync', site: at(10), submitted: 0, resultIn: resultIn(k), readyAt: readyAt?.(k) });
    run.task(job, { name: 'work', worker: 1 + (k % 2), start: end - 0.001, end });
  }
  return run;
}

describe('a run of 200,000 tasks', function () {
  it('main-blocked: one episode naming every held-back result', () => {
    const [f, ...more] = findings(
      burst(() => 1000),
      'main-blocked',
    );
    assert.equal(more.length, 0);
    assert.equal(f.message, "main's event loop was busy for 1000 ms; 200000 finished results waited up to 1000 ms to be taken in, so their callbacks and waiters ran late");
    assert.equal(f.spans.length, TASKS);
  });

  it('callback-blocked: a slow callback with every result behind it', () => {
    const run = burst(
      (k) => (k + 1) / 1000,
      () => 700,
    );
    const slow = run.job({ id: TASKS + 1, pool: 0, api: 'applyAsync', site: at(20), submitted: 0, resultIn: 0 });
    run.callback(slow, { kind: 'result', name: 'slowHandler', site: at(5), registeredAt: at(20, 30), ran: { start: 0, end: 700 } });
    const [f] = findings(run, 'callback-blocked');
    assert.equal(f.message, 'callback `slowHandler` held the callback thread for 700 ms; 200000 results waited behind it');
    assert.deepEqual(f.related[1], { message: '200000 results of `work` submitted here waited up to 700 ms behind it', site: at(10) });
  });

  it('pool-broken: a pool that broke after its 200,000th task, with one job still pending, never lets join() return', () => {
    const run = burst(() => 1000);
    run.store.pools.get(0)!.broken = { ts: 250_000, cause: 'Error: the worker thread exited' };
    run.job({ id: TASKS + 1, pool: 0, api: 'applyAsync', site: at(20), submitted: 240, status: 'pending' });
    const [f, ...more] = findings(run, 'pool-broken');
    assert.equal(more.length, 0);
    assert.equal(
      f.message,
      'ThreadPool is broken: Error: the worker thread exited; no task runs on it from then on and no callback fires for those, so close()+join() never returns',
    );
  });

  it("the editor's analysis finds the same and lets its event loop turn between the steps", async () => {
    const { store } = burst(() => 1000);
    let turns = 0;
    const tick = setInterval(() => turns++, 0);
    const found = await analyzeYielding(store);
    clearInterval(tick);
    assert.deepEqual(found, analyze(store));
    assert.ok(turns > 0, 'no timer ran while the run was analysed');
  });

  it('exports to the Trace Event Format with a span and a flow for every task', () => {
    const events = exported(burst(() => 1000).store).traceEvents;
    assert.equal(events.filter((e) => e.ph === 'X' && e.cat === 'task').length, TASKS);
    assert.ok(events.filter((e) => e.ph === 's').length >= TASKS, 'a flow starts at every submit');
  });
});
