import assert from 'node:assert/strict';
import { INIT, blockingCallback, brokenExecutor, failingInitializer } from '../scenarios';
import { RunBuilder, at } from '../runBuilder';
import { findings, spanIndices } from './findings';

describe('pool-broken', () => {
  it("reports a ThreadPool whose initializer threw, at the initializer, with the cause and the pool's creation", () => {
    const run = failingInitializer();
    const [f, ...more] = findings(run, 'pool-broken');
    assert.equal(more.length, 0);
    assert.equal(f.severity, 'error');
    assert.equal(
      f.message,
      'ThreadPool is broken: initializer `setup` threw Error: database unreachable (in 2 workers); none of its tasks ever runs, no callback fires, and close()+join() never returns',
    );
    assert.deepEqual(f.site, INIT.setup);
    assert.deepEqual(f.related, [{ message: 'the ThreadPool was created here', site: INIT.created }]);
    assert.deepEqual(
      f.spans,
      spanIndices(run, (s) => s.kind === 'init'),
    );
  });

  it('reports a broken executor with what happened to its futures', () => {
    const [f] = findings(brokenExecutor(), 'pool-broken');
    assert.equal(
      f.message,
      'ThreadPoolExecutor is broken: initializer `setup` threw Error: database unreachable; every pending future failed with BrokenThreadPool and later submit() calls throw',
    );
    assert.deepEqual(f.site, INIT.setup);
  });

  it('uses the recorded cause when no initializer run failed, at the creation site when there is no initializer', () => {
    const run = new RunBuilder(1);
    run.pool({ id: 0, kind: 'ThreadPoolExecutor', site: at(4, 12), broken: { ts: 5, cause: 'BrokenThreadPool: worker exited\n    at x' } });
    const [f] = findings(run, 'pool-broken');
    assert.equal(f.message, 'ThreadPoolExecutor is broken: BrokenThreadPool: worker exited; every pending future failed with BrokenThreadPool and later submit() calls throw');
    assert.deepEqual(f.site, at(4, 12));
    assert.deepEqual(f.spans, []);
  });

  it('names BrokenProcessPool for a ProcessPoolExecutor whose initializer threw, with the running futures too', () => {
    const run = new RunBuilder(1);
    const pool = run.pool({
      id: 0,
      kind: 'ProcessPoolExecutor',
      site: INIT.created,
      initializer: 'setup',
      initializerSite: INIT.setup,
      broken: { ts: 3, cause: 'BrokenProcessPool: A child process terminated abruptly' },
    });
    run.init(pool, { worker: 1, start: 0.5, end: 3, status: 'error', text: INIT.error });
    const [f] = findings(run, 'pool-broken');
    assert.equal(
      f.message,
      'ProcessPoolExecutor is broken: initializer `setup` threw Error: database unreachable; every pending and running future failed with BrokenProcessPool and later submit() calls throw',
    );
  });

  it('stays quiet for a healthy pool', () => {
    assert.deepEqual(findings(blockingCallback(), 'pool-broken'), []);
  });
});
