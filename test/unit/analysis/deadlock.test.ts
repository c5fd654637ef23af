import assert from 'node:assert/strict';
import { INIT, THREW, blockingCallback, throwingCallbackDeadlock } from '../scenarios';
import { RunBuilder, ms, at } from '../runBuilder';
import { analyze } from '../../../src/analysis/index';
import { findings, spanIndices } from './findings';
import { RecordStream, MAIN } from '../recordStream';
import { KILLED, W1, W2, poolWorkerKilled } from '../workerScenarios';

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
    assert.deepEqual(
      analyze(throwingCallbackDeadlock().store).map((f) => f.rule),
      ['deadlock', 'callback-threw'],
    );
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

  it('names the worker death that lost the awaited task', () => {
    const run = poolWorkerKilled();
    const [f] = findings(run, 'deadlock');
    assert.equal(f.message, `main can never return from get(): ${KILLED.reason}`);
    assert.deepEqual(f.site, KILLED.apply);
    assert.deepEqual(f.related, [
      { message: '`crunch` was lost: Worker 1 (pid 5001) was killed by SIGKILL while running it, so its result never arrives', site: KILLED.crunch },
      { message: 'the awaited apply() call', site: KILLED.apply },
    ]);
    assert.deepEqual(f.spans, [...spanIndices(run, (s) => s.kind === 'wait'), ...spanIndices(run, (s) => s.status === 'lost')]);
  });

  it("names the lost task a closed Pool's join() waits for", () => {
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0).lane(W2, 'worker', 'Worker 2', 0);
    s.pool(0, 'Pool', { ms: 0, size: 2, site: at(4) });
    s.workerStart(W1, 0.1, 100).workerStart(W2, 0.1, 200);
    const { task } = s.submit(0, { ms: 1, api: 'applyAsync', site: at(6, 3), fn: 'bye', fnSite: at(2, 17) });
    s.start(W1, task, 1.5).workerDied(W1, 3, { code: 7, task, why: 'exit 7' });
    s.poolAction(0, 'close', 4);
    const join = s.wait('join', at(8, 3), 4.1);
    s.deadlock(join, -1, at(8, 3), 2004, 'the pool can never finish its queued work');
    const run = { store: s.build({ outcome: 'deadlock', endMs: 2004 }) };
    const [f] = findings(run, 'deadlock');
    assert.equal(f.message, 'main can never return from join(): the pool can never finish its queued work');
    assert.deepEqual(f.related, [{ message: '`bye` was lost: Worker 1 (pid 100) exited with code 7 while running it (exit 7), so its result never arrives', site: at(2, 17) }]);
    assert.deepEqual(f.spans, [spanIndices(run, (x) => x.kind === 'wait')[0], ...spanIndices(run, (x) => x.status === 'lost')]);
  });

  it('stays quiet when the run had no deadlock', () => {
    assert.deepEqual(findings(blockingCallback(), 'deadlock'), []);
  });
});
