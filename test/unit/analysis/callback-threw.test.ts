import assert from 'node:assert/strict';
import { THREW, throwingCallbackDeadlock } from '../scenarios';
import { RunBuilder, at, ms } from '../runBuilder';
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
    assert.deepEqual(
      f.spans,
      spanIndices(run, (s) => s.status === 'threw'),
    );
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
    assert.deepEqual(
      all.map((f) => [f.severity, f.message]),
      [['error', "done callback `first` threw Error: boom; the executor logged it and ran the later callbacks, but this one's work was lost"]],
    );
    assert.deepEqual(all[0].site, at(7));
  });

  describe('in a Python program', () => {
    /** A ThreadPool whose callback `on_result` raised `error` at 51 ms, main then waiting in get() forever. */
    function pythonRun(error: string, handlerDies: boolean): RunBuilder {
      const run = new RunBuilder(2);
      run.store.meta.language = 'python';
      run.store.meta.outcome = 'deadlock';
      run.pool({ id: 0, kind: 'ThreadPool', site: at(4, 8), ...(handlerDies ? { handlerDied: { ts: 52, error } } : {}) });
      const job = run.job({ id: 0, pool: 0, api: 'apply_async', site: at(14, 9), submitted: 1, status: 'pending', retrieved: false });
      run.task(job, { name: 'lookup', worker: 1, start: 1, end: 50, text: "{'a': 1}" });
      run.callback(job, { kind: 'result', name: 'on_result', site: at(8), registeredAt: at(14, 40), ran: { start: 51, end: 52, status: 'threw', text: error } });
      const later = run.job({ id: 1, pool: 0, api: 'apply_async', site: at(15, 9), submitted: 2, status: handlerDies ? 'pending' : 'ok' });
      run.task(later, { name: 'lookup', worker: 2, start: 2, end: 60 });
      run.wait({ name: 'get', site: at(16, 5), start: 3, end: 2060, job: 0, status: 'running' });
      run.store.meta.deadlock = { ts: ms(2060), site: at(16, 5), job: 0, reason: 'this result can never become ready' };
      return run;
    }
    const KEY_ERROR = 'KeyError: \'user\'\n  File "/home/dev/demo/lookup.py", line 9, in on_result';

    it('says a KeyError was swallowed by the result handler, which lived on, and that its job never becomes ready (SEMANTICS A7a)', () => {
      const run = pythonRun(KEY_ERROR, false);
      const [f] = findings(run, 'callback-threw');
      assert.equal(
        f.message,
        "callback `on_result` raised KeyError: 'user', and the pool's result handler swallowed it without a word (it ignores a KeyError from a callback): later results still complete, but this one never becomes ready, so get() or wait() on it never returns",
      );
      const [d] = findings(run, 'deadlock');
      assert.deepEqual(d.related[0], {
        message: "callback `on_result` raised KeyError: 'user' here; the result handler swallowed it, so this job never becomes ready",
        site: at(8),
      });
      assert.deepEqual(d.spans, [...spanIndices(run, (s) => s.kind === 'wait'), ...spanIndices(run, (s) => s.status === 'threw')]);
    });

    it('says any other exception killed the result handler, as the trace shows', () => {
      const [f] = findings(pythonRun('ValueError: bad user', true), 'callback-threw');
      assert.equal(
        f.message,
        "callback `on_result` threw ValueError: bad user; that killed the pool's result handler: this result and every later one of the pool never complete (1 other job stuck)",
      );
    });
  });
});
