// A run past its span budget, in the inspector page: the note says how many tasks were not
// kept and that they are counted per lane, and each lane's figures include them.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { analyze } from '../../src/analysis/index';
import type { TraceStore } from '../../src/trace/store';
import { pastBudgetTrace } from './fixtures';
import { laneLabels, launch, openTrace, type Opened, type Session } from './page';

describe('inspector page, a run past its span budget', function () {
  let session: Session;
  let store: TraceStore;
  let opened: Opened;
  let page: Page;

  before(async function () {
    session = await launch();
    store = pastBudgetTrace();
    opened = await openTrace(session, 'past-budget', store, analyze(store));
    page = opened.page;
  });
  after(async () => {
    assert.deepEqual(opened.problems, [], 'no page errors, CSP violations or dialogs');
    await session?.close();
  });

  it('says how many tasks were not kept, from which on, and that they are counted per lane', async function () {
    assert.equal(store.notKept.tasks, 6, 'the fixture ran six tasks past its budget');
    const note = page.locator('.not-kept');
    await note.waitFor({ state: 'visible' });
    const text = await note.innerText();
    assert.match(text, /^Not kept in memory: 6 tasks, from task 5 on \(issued at \+1\.4 ms\), past the first 4 spans kept in memory\./);
    assert.match(text, /They are counted per lane \(spans and busy share\), but not drawn and not in the findings\. 1 of them failed\.$/);
    assert.equal(await note.locator('*').count(), 0, 'the note is text only');
    assert.match((await page.textContent('.outcome')) ?? '', /· 6 tasks not kept ·/);
  });

  it('for a window of a run (view --from --to), names no first task: the tasks left out lie on both sides', async function () {
    const windowed = pastBudgetTrace();
    windowed.notKept.byBudget = false;
    windowed.notKept.reason = 'outside 19–23 ms (--from, --to)';
    const other = await openTrace(session, 'window', windowed, analyze(windowed));
    try {
      assert.equal(
        await other.page.innerText('.not-kept'),
        'Not kept in memory: 6 tasks, outside 19–23 ms (--from, --to). They are counted per lane (spans and busy share), but not drawn and not in the findings. 1 of them failed.',
      );
      assert.deepEqual(other.problems, []);
    } finally {
      await other.page.context().close();
    }
  });

  it("counts the tasks not kept in their lanes' spans, and the tables list them", async function () {
    const labels = await laneLabels(page);
    // Tasks 1-4 are kept (two a worker), 5-10 counted: three a worker.
    assert.deepEqual(
      labels.filter((l) => l.name.startsWith('Worker')).map((l) => [l.name, l.spans]),
      [
        ['Worker 1', 5],
        ['Worker 2', 5],
      ],
    );
    // Each worker ran 5 tasks of 8 ms in the run's 60 ms: busy 67%, of which the kept spans alone are 27%.
    assert.match((await page.getAttribute('.lane-label[data-lane="Worker 1"]', 'title')) ?? '', /^Worker 1: 5 spans \(3 not kept\), busy 67%/);
    await page.click('button:has-text("Table")');
    const row = (await page.locator('.tables table').first().locator('tr', { hasText: 'Worker 2' }).innerText()).split('\t');
    assert.deepEqual(row.slice(0, 4), ['Worker 2', 'worker', '5', '3']);
  });
});
