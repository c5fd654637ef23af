// Dispatch must go on while main blocks synchronously (issue: the pool runtime).
import assert from 'node:assert/strict';
import { ms, runFixture } from './helpers';

describe('dispatch while main blocks', function () {
  for (const [kind, fixture] of [
    ['ThreadPool', 'dispatch-while-blocked.ts'],
    ['Pool', 'dispatch-while-blocked-pool.ts'],
    ['ProcessPoolExecutor', 'dispatch-while-blocked-executor.ts'],
  ] as const) {
    it(`${kind}: 4 tasks on 4 workers all run while main blocks its thread waiting for them`, async () => {
      const run = await runFixture(fixture);
      assert.equal(run.outcome, 'returned', run.error?.message);
      const at = (text: string) => run.lines.find((l) => l.lane === 'Main' && l.text === text)?.ts;
      const block = { start: at('main blocks')!, end: at('main unblocks')! };
      assert.ok(block.start !== undefined && block.end !== undefined, 'main printed when it blocked and unblocked');
      const tasks = run.spans.filter((s) => s.kind === 'task' && s.name === 'work');
      assert.equal(tasks.length, 4);
      assert.equal(new Set(tasks.map(run.laneOf)).size, 4, 'the 4 tasks ran on 4 workers');
      // Main unblocked once each task had done its work (its last act before returning), so a
      // task that started inside the block ran there; only its return may come after.
      for (const t of tasks) {
        assert.equal(t.status, 'ok');
        assert.ok(
          t.start >= block.start && t.start < block.end,
          `task on ${run.laneOf(t)} started ${ms(t.start - block.start)} ms into main's ${ms(block.end - block.start)} ms block, not inside it`,
        );
      }
    });
  }

  it('Pool: its processes run 3,000 tasks while main blocks, though main takes none of their results in meanwhile', async () => {
    const run = await runFixture('many-results-while-blocked.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const main = run.lines.filter((l) => l.lane === 'Main').map((l) => l.text);
    assert.deepEqual(main, ['all 3000 ran while main blocked', 'results: 3000 distinct marks']);
  });
});
