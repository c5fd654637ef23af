import assert from 'node:assert/strict';
import { MAP, mapWithFailures } from '../scenarios';
import { findings, spanIndices } from './findings';
import { allSpans } from '../../storeSpans';

describe('errors-unseen', () => {
  it('says the error callback saw 1 of 3 errors, the first to arrive, and lists the others', () => {
    const run = mapWithFailures();
    const [f, ...more] = findings(run, 'errors-unseen');
    assert.equal(more.length, 0);
    assert.equal(f.severity, 'warning');
    assert.equal(f.message, 'error callback `onError` saw 1 of 3 errors: mapAsync reports only the first to arrive (ValueError: bad row 3); 2 other failures went unseen');
    assert.deepEqual(f.site, MAP.mapAsync);
    const failed = allSpans(run.store).filter((s) => s.status === 'error');
    const id = (row: number) => failed.find((s) => s.text?.startsWith(MAP.rows[row]))!.taskId;
    assert.deepEqual(f.related, [
      { message: 'error callback `onError` is defined here', site: MAP.onError },
      { message: `task ${id(1)} also failed, unseen: ValueError: bad row 1`, site: MAP.parse },
      { message: `task ${id(4)} also failed, unseen: ValueError: bad row 4`, site: MAP.parse },
    ]);
    assert.deepEqual(new Set(f.spans), new Set([...spanIndices(run, (s) => s.status === 'error'), ...spanIndices(run, (s) => s.cbKind === 'error')]));
  });

  it('names the error the callback really got when it is not the first to end (results race between workers)', () => {
    const run = mapWithFailures();
    const failed = allSpans(run.store).filter((s) => s.status === 'error');
    const row4 = failed.find((s) => s.text?.startsWith('ValueError: bad row 4'))!;
    const [cb] = spanIndices(run, (s) => s.cbKind === 'error');
    run.store.col.taskId[cb] = row4.taskId;
    const [f] = findings(run, 'errors-unseen');
    assert.match(f.message, /\(ValueError: bad row 4\); 2 other failures went unseen$/);
    assert.deepEqual(
      f.related.slice(1).map((r) => r.message.replace(/^task \d+ /, '')),
      // the others in the order they ended
      ['also failed, unseen: ValueError: bad row 3', 'also failed, unseen: ValueError: bad row 1'],
    );
  });

  it('stays quiet when only one task failed', () => {
    const run = mapWithFailures();
    for (const s of allSpans(run.store)) if (s.status === 'error' && !s.text?.startsWith('ValueError: bad row 3')) run.store.endSpan(s.index, s.end, 'ok');
    assert.deepEqual(findings(run, 'errors-unseen'), []);
  });

  it('stays quiet without an error callback', () => {
    const run = mapWithFailures();
    const job = run.store.jobs.get(0)!;
    run.store.jobs.set(job.id, { ...job, callbacks: job.callbacks.filter((c) => c.kind !== 'error') });
    assert.deepEqual(findings(run, 'errors-unseen'), []);
  });
});
