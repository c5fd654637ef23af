import assert from 'node:assert/strict';
import { INIT, THREW, blockingCallback, throwingCallbackDeadlock } from '../scenarios';
import { RunBuilder, ms, at } from '../runBuilder';
import { analyze } from '../../../src/analysis/index';
import { findings, spanIndices } from './findings';

describe('deadlock', () => {
  it('points at the get() that can never return and at the callback that threw', () => {
    const run = throwingCallbackDeadlock();
    const [f, ...more] = findings(run, 'deadlock');
    assert.equal(more.length, 0);
    assert.equal(f.severity, 'error');
    assert.equal(f.message, `main can never return from get(): ${THREW.reason}`);
    assert.deepEqual(f.site, THREW.get);
    assert.deepEqual(f.related, [
      { message: "callback `onResult` threw TypeError: Cannot read properties of undefined (reading 'name') here and killed the pool's result handler", site: THREW.onResult },
      { message: 'the awaited applyAsync() call', site: THREW.apply1 },
    ]);
    const [wait] = spanIndices(run, (s) => s.kind === 'wait' && s.name === 'get');
    const [cb] = spanIndices(run, (s) => s.status === 'threw');
    assert.deepEqual(f.spans, [wait, cb]);
  });

  it('comes first among the findings', () => {
    assert.deepEqual(analyze(throwingCallbackDeadlock().store).map((f) => f.rule), ['deadlock', 'callback-threw']);
  });

  it('names the failing initializer when main waits in join() on a pool that can never run', () => {
    const run = new RunBuilder(2, 1); // the workers belong to pool 1
    // Earlier casualties that join() is not waiting on: the suspect is the closed ThreadPool whose trouble came last.
    run.pool({ id: 0, kind: 'ThreadPool', site: at(30), handlerDied: { ts: 2, error: 'Error: earlier' }, closed: 2.5 });
    const pool = run.pool({ id: 1, kind: 'ThreadPool', site: INIT.created, initializer: 'setup', initializerSite: INIT.setup, closed: 5 });
    run.pool({ id: 2, kind: 'ThreadPoolExecutor', site: at(31), broken: { ts: 6, cause: 'BrokenThreadPool: not joinable' } });
    const inits = [1, 2].map((worker) => run.init(pool, { worker, start: 1, end: 3 + worker / 2, status: 'error', text: INIT.error }));
    const join = at(13, 14);
    const wait = run.wait({ name: 'join', site: join, start: 5, end: 2005, status: 'running' });
    run.store.meta.deadlock = { ts: ms(2005), site: join, job: -1, reason: 'the pool can never finish its queued work' };
    const [f] = findings(run, 'deadlock');
    assert.equal(f.message, 'main can never return from join(): the pool can never finish its queued work');
    assert.deepEqual(f.site, join);
    assert.deepEqual(f.related, [{ message: 'initializer `setup` threw Error: database unreachable, so the ThreadPool can never run a task', site: INIT.setup }]);
    assert.deepEqual(f.spans, [wait, inits[0]]);
  });

  it('stays quiet when the run had no deadlock', () => {
    assert.deepEqual(findings(blockingCallback(), 'deadlock'), []);
  });
});
