import assert from 'node:assert/strict';
import { blockingCallback, mainSleeps, SITES } from '../scenarios';
import { MAIN, RunBuilder, at } from '../runBuilder';
import { findings, spanIndices } from './findings';

describe('callback-blocked', () => {
  it('reports a 1.2 s callback at its definition, with the 7 results that waited behind it', () => {
    const run = blockingCallback();
    const [f, ...more] = findings(run, 'callback-blocked');
    assert.equal(more.length, 0, 'the short callbacks after it are not reported');
    assert.equal(f.severity, 'warning');
    assert.equal(f.message, 'callback `handler` held the callback thread for 1.2 s; 7 results waited behind it');
    assert.deepEqual(f.site, SITES.handler);
    assert.deepEqual(f.related, [
      { message: 'callback `handler` was registered here', site: SITES.registered },
      { message: '7 results of `square` submitted here waited up to 1.2 s behind it', site: SITES.loopApply },
    ]);
    const blocker = spanIndices(run, (s) => s.kind === 'callback' && s.job === 0);
    const waiting = spanIndices(run, (s) => s.kind === 'task' && s.job >= 1);
    assert.deepEqual(f.spans, [...blocker, ...waiting]);
  });

  it('honours blockThresholdMs both ways', () => {
    assert.equal(findings(blockingCallback(), 'callback-blocked', { blockThresholdMs: 1500 }).length, 0);
    const quick = findings(mainSleeps(), 'callback-blocked', { blockThresholdMs: 0.4 });
    // The four results were all in when main woke: each callback held back the ones after it.
    assert.deepEqual(
      quick.map((f) => f.message),
      [
        'callback `report` held the callback thread for 500 µs; 3 results waited behind it',
        'callback `report` held the callback thread for 500 µs; 2 results waited behind it',
        'callback `report` held the callback thread for 500 µs; 1 result waited behind it',
        'callback `report` held the callback thread for 500 µs',
      ],
    );
    assert.equal(findings(mainSleeps(), 'callback-blocked').length, 0, '0.5 ms is under the default 100 ms');
  });

  it("counts only results of the callback's own pool", () => {
    const run = blockingCallback();
    run.pool({ id: 9, kind: 'ThreadPool', site: at(40) });
    const other = run.job({ id: 90, pool: 9, api: 'applyAsync', site: at(41), submitted: 100 });
    run.task(other, { name: 'cube', worker: 2, start: 100, end: 110 });
    assert.match(findings(run, 'callback-blocked')[0].message, /; 7 results waited behind it$/);
  });

  it('says so when the callback never finished, and names the main thread for a synchronous done callback', () => {
    const run = new RunBuilder(1);
    run.pool({ id: 0, kind: 'ThreadPoolExecutor', site: at(3) });
    const done = run.job({ id: 0, pool: 0, api: 'submit', site: at(5), submitted: 0 });
    run.task(done, { name: 'fetch', worker: 1, start: 0, end: 5 });
    run.callback(done, { kind: 'done', name: 'slowLog', site: at(7), registeredAt: at(9), ran: { start: 10, end: 310, lane: MAIN } });
    const stuck = run.job({ id: 1, pool: 0, api: 'submit', site: at(6), submitted: 1 });
    run.task(stuck, { name: 'fetch', worker: 1, start: 5, end: 8 });
    run.callback(stuck, { kind: 'done', name: 'spin', site: at(8), registeredAt: at(10), ran: { start: 320, end: 900, status: 'running' } });
    assert.deepEqual(
      findings(run, 'callback-blocked').map((f) => f.message),
      ['callback `slowLog` held the main thread for 300 ms', 'callback `spin` held the callback thread for 580 ms (it was still running when the trace ended)'],
    );
  });
});
