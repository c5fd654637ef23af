import assert from 'node:assert/strict';
import { OPEN, poolsAtMainEnd, throwingCallbackDeadlock } from '../scenarios';
import { findings } from './findings';
import { RunBuilder, at } from '../runBuilder';

describe('pool-not-closed', () => {
  it('reports pools still open when main returned: a warning with work cut off, info when idle', () => {
    const all = findings(poolsAtMainEnd(), 'pool-not-closed');
    assert.deepEqual(
      all.map((f) => ({ severity: f.severity, message: f.message, site: f.site })),
      [
        {
          severity: 'warning',
          message: 'ThreadPoolExecutor created here was still open when main returned, with 1 job unfinished; call shutdown(), or create it with `await using`',
          site: OPEN.busy,
        },
        {
          severity: 'info',
          message: 'ThreadPool created here was still open when main returned; call close() and join(), or create it with `await using`',
          site: OPEN.leftOpen,
        },
      ],
    );
  });

  it('asks a Pool for close() and join() and a ProcessPoolExecutor for shutdown()', () => {
    const run = new RunBuilder(1);
    run.pool({ id: 0, kind: 'Pool', site: at(3) });
    run.pool({ id: 1, kind: 'ProcessPoolExecutor', site: at(4) });
    run.mainReturned(10);
    assert.deepEqual(
      findings(run, 'pool-not-closed').map((f) => f.message),
      [
        'Pool created here was still open when main returned; call close() and join(), or create it with `await using`',
        'ProcessPoolExecutor created here was still open when main returned; call shutdown(), or create it with `await using`',
      ],
    );
  });

  it('says when main threw', () => {
    const run = poolsAtMainEnd();
    run.store.marks.find((m) => m.kind === 'main-returned')!.kind = 'main-threw';
    assert.match(findings(run, 'pool-not-closed')[0].message, /still open when main threw/);
  });

  it('stays quiet on a trace whose records stopped before the end (a full disk): a pool closed after that would not show', () => {
    const run = poolsAtMainEnd();
    run.store.meta.recordsStopped = { ts: 5, why: 'p1.rec has no room for more (No space left on device)' };
    assert.deepEqual(findings(run, 'pool-not-closed'), []);
  });

  it('stays quiet while main has not ended (a deadlocked run)', () => {
    const run = throwingCallbackDeadlock();
    assert.ok(!run.store.marks.some((m) => m.kind === 'main-returned' || m.kind === 'main-threw'));
    assert.ok([...run.store.pools.values()].every((p) => p.closed === undefined && p.terminated === undefined));
    assert.deepEqual(findings(run, 'pool-not-closed'), []);
  });
});
