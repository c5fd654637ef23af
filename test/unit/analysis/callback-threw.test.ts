import assert from 'node:assert/strict';
import { THREW, throwingCallbackDeadlock } from '../scenarios';
import { RunBuilder, at } from '../runBuilder';
import { findings, spanIndices } from './findings';

describe('callback-threw', () => {
  it('reports a throwing pool callback as an error that killed the result handler', () => {
    const run = throwingCallbackDeadlock();
    const [f, ...more] = findings(run, 'callback-threw');
    assert.equal(more.length, 0);
    assert.equal(f.severity, 'error');
    assert.equal(
      f.message,
      "callback `onResult` threw TypeError: Cannot read properties of undefined (reading 'name'); that killed the pool's result handler: this result and every later one of the pool never complete (1 other job stuck)",
    );
    assert.deepEqual(f.site, THREW.onResult);
    assert.deepEqual(f.related, [
      { message: '`onResult` was registered here', site: THREW.registered },
      { message: 'the applyAsync() call whose outcome it handled', site: THREW.apply0 },
    ]);
    assert.deepEqual(f.spans, spanIndices(run, (s) => s.status === 'threw'));
  });

  it('names an error callback as such', () => {
    const run = new RunBuilder(1);
    run.pool({ id: 0, kind: 'ThreadPool', site: at(3) });
    const job = run.job({ id: 0, pool: 0, api: 'mapAsync', site: at(5), submitted: 0, status: 'pending' });
    run.task(job, { name: 'parse', worker: 1, start: 0, end: 5, status: 'error', text: 'ValueError: x' });
    run.callback(job, { kind: 'error', name: 'onError', site: at(7), registeredAt: at(5, 30), ran: { start: 6, end: 7, status: 'threw', text: 'RangeError: retry budget spent' } });
    assert.equal(
      findings(run, 'callback-threw')[0].message,
      "error callback `onError` threw RangeError: retry budget spent; that killed the pool's result handler: this result and every later one of the pool never complete",
    );
  });

  it('says a throwing done callback was only logged and the later callbacks still ran', () => {
    const run = new RunBuilder(1);
    run.pool({ id: 0, kind: 'ThreadPoolExecutor', site: at(3) });
    const job = run.job({ id: 0, pool: 0, api: 'submit', site: at(5), submitted: 0 });
    run.task(job, { name: 'fetch', worker: 1, start: 0, end: 5 });
    run.callback(job, { kind: 'done', name: 'first', site: at(7), registeredAt: at(6), ran: { start: 6, end: 7, status: 'threw', text: 'Error: boom\n    at first (/x.ts:7:3)' } });
    run.callback(job, { kind: 'done', name: 'second', site: at(8), registeredAt: at(6, 20), ran: { start: 7, end: 8 } });
    const all = findings(run, 'callback-threw');
    assert.deepEqual(all.map((f) => [f.severity, f.message]), [
      ['error', "done callback `first` threw Error: boom; the executor logged it and ran the later callbacks, but this one's work was lost"],
    ]);
    assert.deepEqual(all[0].site, at(7));
  });
});
