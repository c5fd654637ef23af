// The span budget of a run started through the host API, as the editor starts one
// (poolscope.keepSpans): the store keeps the first tasks, counts the others on the lanes they
// ran on, and the inspector's feed carries what was not kept, live and at the end.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { TraceFeed } from '../../src/protocol/encode';
import type { TracePatch } from '../../src/protocol/wire';
import { FIXTURES, HANG_MS, host } from './helpers';

const TASKS = 400;

describe('span budget of a host API run', function () {
  it('maxSpans keeps at most that many tasks, counts every other one on its lane, and the live feed says how many were not kept', async () => {
    const { startRun } = await host();
    const handle = startRun(resolve(FIXTURES, 'journal/many-tasks.ts'), { workers: 2, timeoutMs: HANG_MS, maxSpans: 100, env: { ...process.env, TASKS: String(TASKS) } });
    // The live panel's feed: patches taken while the run goes, as the panel posts them.
    const feed = new TraceFeed(handle.store);
    const patches: TracePatch[] = [];
    const live = setInterval(() => feed.stale && patches.push(feed.delta()), 5);
    const result = await handle.done;
    clearInterval(live);
    patches.push(feed.delta());
    assert.equal(result.outcome, 'returned', result.error?.message);

    const { store } = result;
    let kept = 0;
    for (let i = 0; i < store.spanCount; i++) if (store.kind(i) === 'task') kept++;
    const n = store.notKept;
    assert.ok(kept <= 100 && kept > 0, `${kept} tasks kept`);
    assert.equal(kept + n.tasks, TASKS, 'every task is kept or counted');
    assert.ok(n.byBudget && n.firstTask > 0, 'the budget left them out, from a first task on');
    const perLane = n.spans.reduce((a, b) => a + (b ?? 0), 0);
    assert.equal(perLane, n.tasks, 'each task not kept is counted on the lane it ran on');

    const last = patches[patches.length - 1].notKept;
    assert.ok(last, 'the last patch says what was not kept');
    assert.equal(last.tasks, n.tasks);
    assert.equal(last.reason, 'past the first 100 spans kept in memory');
    assert.equal(
      last.lanes.reduce((a, l) => a + l.spans, 0),
      n.tasks,
    );
    assert.deepEqual(
      last.lanes.map((l) => store.laneById(l.lane)?.kind),
      last.lanes.map(() => 'worker'),
    );
    // A view that opens after the run gets the same in its snapshot.
    assert.deepEqual(new TraceFeed(store).snapshot().notKept, last);
  });
});
