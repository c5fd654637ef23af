import assert from 'node:assert/strict';
import { SLEEP, blockingCallback, mainSleeps } from '../scenarios';
import { RunBuilder, at } from '../runBuilder';
import { findings, spanIndices } from './findings';

describe('main-blocked', () => {
  it('reports one episode at the sleepSync that held four finished results back', () => {
    const run = mainSleeps();
    const [f, ...more] = findings(run, 'main-blocked');
    assert.equal(more.length, 0, 'one blocking episode, one finding');
    assert.equal(f.severity, 'warning');
    assert.equal(f.message, 'main blocked its event loop for 1.0 s in sleepSync(); 4 finished results waited up to 800 ms to be taken in, so their callbacks and waiters ran late');
    assert.deepEqual(f.site, SLEEP.sleepSync);
    assert.deepEqual(f.related, [{ message: '4 results of `work` from this applyAsync() call waited up to 800 ms', site: SLEEP.submit }]);
    assert.deepEqual(f.spans, [...spanIndices(run, (s) => s.name === 'sleepSync'), ...spanIndices(run, (s) => s.kind === 'task')]);
  });

  it('does not apply to a Python program, whose pools hand results on in their own threads whatever main does', () => {
    const run = mainSleeps();
    run.store.meta.language = 'python';
    assert.deepEqual(findings(run, 'main-blocked'), []);
  });

  it('falls back to the submit site when main was busy without sleepSync', () => {
    const [f] = findings(mainSleeps('busy loop'), 'main-blocked');
    assert.equal(f.message, "main's event loop was busy for 800 ms; 4 finished results waited up to 800 ms to be taken in, so their callbacks and waiters ran late");
    assert.deepEqual(f.site, SLEEP.submit);
  });

  it('leaves time spent in a blocking callback to callback-blocked', () => {
    assert.deepEqual(findings(blockingCallback(), 'main-blocked'), []);
  });

  it('reports separate episodes separately and ignores short delays', () => {
    const run = new RunBuilder(1);
    run.pool({ id: 0, kind: 'ThreadPool', site: at(3) });
    const episodes = [
      { submitted: 0, end: 10, resultIn: 300 },
      { submitted: 400, end: 410, resultIn: 450 }, // 40 ms: under the threshold
      { submitted: 500, end: 510, resultIn: 900 },
    ];
    episodes.forEach((e, k) => {
      const job = run.job({ id: k, pool: 0, api: 'applyAsync', site: at(10 + k), submitted: e.submitted, resultIn: e.resultIn });
      run.task(job, { name: 'work', worker: 1, start: e.submitted, end: e.end });
    });
    const all = findings(run, 'main-blocked');
    assert.deepEqual(
      all.map((f) => [f.site?.line, f.message.split(';')[0]]),
      [
        [10, "main's event loop was busy for 290 ms"],
        [12, "main's event loop was busy for 390 ms"],
      ],
    );
    assert.equal(findings(run, 'main-blocked', { blockThresholdMs: 30 }).length, 3);
  });

  it('counts only the part of a delay that no callback explains', () => {
    const run = (callbackMs: number) => {
      const r = new RunBuilder(1);
      r.pool({ id: 0, kind: 'ThreadPool', site: at(3) });
      const job = r.job({ id: 0, pool: 0, api: 'applyAsync', site: at(10), submitted: 0, resultIn: 510 });
      r.task(job, { name: 'work', worker: 1, start: 0, end: 10 });
      const other = r.job({ id: 1, pool: 0, api: 'applyAsync', site: at(11), submitted: 0 });
      r.task(other, { name: 'work', worker: 1, start: 0, end: 5 });
      r.callback(other, { kind: 'result', name: 'slow', site: at(6), registeredAt: at(11, 30), ran: { start: 5, end: 5 + callbackMs } });
      return findings(r, 'main-blocked');
    };
    assert.equal(run(450).length, 0, '450 of the 500 ms were a callback: 50 ms left');
    assert.deepEqual(
      run(300).map((f) => f.message.split(';')[0]),
      ["main's event loop was busy for 500 ms"],
    );
  });
});
