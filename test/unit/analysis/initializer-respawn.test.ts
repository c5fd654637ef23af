import assert from 'node:assert/strict';
import { RecordStream, MAIN, at } from '../recordStream';
import { RESPAWN, W1, W2, poolInitializerRespawn } from '../workerScenarios';
import { failingInitializer } from '../scenarios';
import { findings, spanIndices } from './findings';

describe('initializer-respawn', () => {
  it('counts the respawns of a Pool whose initializer keeps failing, at the initializer, with its first error', () => {
    const run = poolInitializerRespawn();
    const [f, ...more] = findings(run, 'initializer-respawn');
    assert.equal(more.length, 0);
    assert.equal(f.severity, 'error');
    assert.equal(
      f.message,
      'initializer `setup` threw Error: database unreachable 6 times: each time its worker died and the Pool started a new one that ran it again (4 respawns), so none of its tasks ever ran. A Pool goes on replacing dead workers for as long as it is open',
    );
    assert.deepEqual(f.site, RESPAWN.setup);
    assert.deepEqual(f.related, [
      { message: '`setup` first threw Error: database unreachable here', site: RESPAWN.threwAt },
      { message: 'the Pool was created here', site: RESPAWN.created },
    ]);
    assert.deepEqual(
      f.spans,
      spanIndices(run, (s) => s.kind === 'init'),
    );
    assert.deepEqual(findings(run, 'pool-broken'), [], 'one cause, one finding');
  });

  it('does not claim no task ran when a worker whose initializer worked ran some', () => {
    const s = new RecordStream();
    s.lane(MAIN, 'main', 'Main').lane(W1, 'worker', 'Worker 1', 0).lane(W2, 'worker', 'Worker 2', 0);
    s.pool(0, 'Pool', { ms: 0, size: 2, site: at(9), initializer: 'setup', initializerSite: at(3) });
    s.workerStart(W1, 0.1, 10).initRun(W1, 0, 'setup', 0.2, 0.5);
    s.workerStart(W2, 0.1, 20).initRun(W2, 0, 'setup', 0.2, 0.5, 'Error: flaky').workerDied(W2, 0.6, { code: 1, why: 'Error: flaky' });
    s.poolAction(0, 'respawn', 0.7, { lane: W2 });
    const { task } = s.submit(0, { ms: 1, api: 'applyAsync', site: at(11), fn: 'work' });
    s.start(W1, task, 1.1).end(W1, task, 2);
    const [f] = findings({ store: s.build({ endMs: 3 }) }, 'initializer-respawn');
    assert.equal(
      f.message,
      'initializer `setup` threw Error: flaky 1 time: each time its worker died and the Pool started a new one that ran it again (1 respawn). A Pool goes on replacing dead workers for as long as it is open',
    );
  });

  it('stays quiet for a pool that did not replace its workers, or declared itself broken (pool-broken reports those)', () => {
    assert.deepEqual(findings(failingInitializer(), 'initializer-respawn'), []);
    assert.equal(findings(failingInitializer(), 'pool-broken').length, 1);
    const respawnedThenBroke = failingInitializer();
    const pool = respawnedThenBroke.store.pools.get(0)!;
    pool.respawns = 2;
    pool.broken = { ts: 4000, cause: 'BrokenThreadPool: A thread initializer failed, the thread pool is not usable anymore' };
    assert.deepEqual(findings(respawnedThenBroke, 'initializer-respawn'), []);
    assert.match(findings(respawnedThenBroke, 'pool-broken')[0].message, /; workers were restarted 2 times$/);
  });
});
