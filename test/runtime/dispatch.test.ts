// Dispatch must go on while main blocks synchronously (issue: the pool runtime).
import assert from 'node:assert/strict';
import { ms, runFixture } from './helpers';

describe('dispatch while main blocks', function () {
  this.timeout(60_000);

  it('4 tasks of 200 ms on 4 workers all run inside main\'s sleepSync(1000)', async () => {
    const run = await runFixture('dispatch-while-blocked.ts');
    assert.equal(run.outcome, 'returned', run.error?.message);
    const [block] = run.spans.filter((s) => s.kind === 'wait' && s.name === 'sleepSync' && run.laneOf(s) === 'Main');
    assert.ok(block, 'main\'s sleepSync is drawn on Main');
    assert.ok(ms(block.end - block.start) >= 990);
    const tasks = run.spans.filter((s) => s.kind === 'task' && s.name === 'work');
    assert.equal(tasks.length, 4);
    assert.equal(new Set(tasks.map(run.laneOf)).size, 4, 'the 4 tasks ran on 4 workers');
    for (const t of tasks) {
      assert.equal(t.status, 'ok');
      assert.ok(t.start >= block.start && t.end <= block.end, `task on ${run.laneOf(t)} ran ${ms(t.start - block.start)}..${ms(t.end - block.start)} ms into main's block, not inside it`);
    }
  });
});
