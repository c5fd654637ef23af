// The inspector on a process Pool whose worker was killed (a trace built by the real trace
// builder from the records the runtime writes): lanes show the pid behind them, the death and
// the replacement are drawn where they happened and tell what happened when hovered, the lost
// task has its own colour, status and chain, and an unhandled rejection is marked on its lane.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { processPoolTrace, type ProcessFixture } from './fixtures';
import { launch, locate, openTrace, pixelAt, settle, stats, themeColour, type Opened, type Session } from './page';

const ARTIFACTS = join(__dirname, '..', 'artifacts');

/** Where a moment on a lane is drawn: x at time `ts`, y a few px below the lane's top (where marks put their flag). */
async function markPoint(page: Page, lane: string, ts: number): Promise<{ x: number; y: number }> {
  const s = await stats(page);
  const canvas = (await page.locator('.lanes-canvas').boundingBox())!;
  const label = (await page.locator(`.lane-label[data-lane="${lane}"]`).boundingBox())!;
  const row = s.lanes.indexOf(lane);
  const x = canvas.x + ((ts - s.window[0]) / (s.window[1] - s.window[0])) * canvas.width;
  return { x: Math.round(x * 2) / 2, y: canvas.y + row * label.height + 2 };
}

async function hoverText(page: Page, x: number, y: number): Promise<string> {
  await page.mouse.move(x, y);
  const tip = page.locator('.tooltip');
  await tip.waitFor({ state: 'visible' });
  return (await tip.innerText()).replace(/\s+/g, ' ');
}

describe('inspector page (process Pool with a killed worker)', function () {
  let session: Session;
  let fx: ProcessFixture;
  let opened: Opened;
  let page: Page;

  before(async function () {
    session = await launch();
    fx = processPoolTrace();
  });
  beforeEach(async function () {
    opened = await openTrace(session, 'process-pool', fx.store, fx.findings);
    page = opened.page;
  });
  afterEach(async function () {
    assert.deepEqual(opened.problems, [], 'no page errors, CSP violations or dialogs');
    await page.context().close();
  });
  after(async () => session?.close());

  it('shows the pid of the process behind each worker lane, and every process a lane had in its title', async function () {
    const labels = await page.$$eval('.lane-label[data-lane]', (els) => els.map((e) => [e.querySelector('.lane-name')!.textContent, e.querySelector('.lane-busy')!.textContent]));
    assert.deepEqual(labels, [
      ['Main', 'waiting 59%'],
      ['Callback', 'busy 0%'],
      ['Worker 1 ✕1', `pid 5003 · busy ${Math.round((100 - 3 + (400 - 120) + (750 - 650)) / 8.5)}%`],
      ['Worker 2', `pid 5002 · busy ${Math.round((110 - 3.5) / 8.5)}%`],
    ]);
    for (const lane of ['Worker 1', 'Worker 2']) {
      const [name, busy] = await page.$$eval(`.lane-label[data-lane="${lane}"] span`, (els) =>
        els
          .slice(0, 1)
          .concat(els.filter((e) => e.classList.contains('lane-busy')))
          .map((e) => [e.scrollWidth, e.clientWidth]),
      );
      assert.ok(name[0] <= name[1] && busy[0] <= busy[1], `${lane}'s label is shown whole, not cut off`);
    }
    const title = await page.getAttribute('.lane-label[data-lane="Worker 1"]', 'title');
    assert.match(title ?? '', /1 of its workers died; processes: pid 5001 \(killed by SIGKILL at \+400 ms\), pid 5003 \(exited as its pool asked at \+805 ms\)$/);
  });

  it('draws where the process died and where its replacement began, and tells both when hovered', async function () {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'process-pool.png') });
    const died = await markPoint(page, 'Worker 1', fx.diedAt);
    const replaced = await markPoint(page, 'Worker 1', fx.replacedAt);
    assert.deepEqual(await pixelAt(page, died.x, died.y), await themeColour(page, '--ps-mark-bad'), 'the death is flagged in the alarm colour');
    assert.deepEqual(await pixelAt(page, replaced.x, replaced.y), await themeColour(page, '--ps-mark'), 'the replacement is flagged');
    const diedTip = await hoverText(page, died.x, died.y);
    assert.match(diedTip, /^worker died Worker 1 at \+400 ms pid 5001 killed by SIGKILL while running task crunch #3, which is lost$/);
    const replacedTip = await hoverText(page, replaced.x, replaced.y);
    assert.match(replacedTip, /^replacement worker started Worker 1 at \+600 ms pid 5003 replaces the worker that ended here \(pid 5001 killed by SIGKILL\)$/);
  });

  it('draws the lost task in its own colour; selected, it shows its status, process, how it was lost and its chain', async function () {
    const box = (await locate(page, fx.lostTask))!;
    assert.deepEqual(await pixelAt(page, box.x + box.w / 2, box.y + box.h - 3), await themeColour(page, '--ps-task-lost'));
    await page.click('.finding-select[data-rule="worker-crashed"]');
    assert.equal((await stats(page)).selected, fx.lostTask);
    await settle(page);
    const facts = await page.innerText('.details .facts');
    assert.match(facts, /Status\s+lost \(its worker died while running it\)/);
    assert.match(facts, /Process\s+pid 5001/);
    assert.match(await page.innerText('.details'), /How its worker died\s+killed by SIGKILL/);
    const points = await page.$$eval('.details ol.chain li', (lis) => lis.map((li) => ({ what: (li as HTMLElement).dataset.point, text: li.textContent })));
    assert.deepEqual(
      points.map((p) => p.what),
      ['submit', 'run', 'lost'],
      'no release: the get() timed out, nothing came back',
    );
    assert.match(points[1].text!, /crunch on Worker 1 .* queued/);
    assert.match(points[2].text!, /its worker died: killed by SIGKILL at \+400 ms · ran until its worker died 280 ms/);
    assert.match(await page.innerText('.details .span-findings'), /Worker 1 \(pid 5001\) of the Pool was killed by SIGKILL while running `crunch`/);
  });

  it('marks the unhandled rejection on the lane of its task, with its stack', async function () {
    const at = await markPoint(page, 'Worker 2', fx.unhandledAt);
    assert.deepEqual(await pixelAt(page, at.x, at.y), await themeColour(page, '--ps-finding-warn'));
    assert.match(
      await hoverText(page, at.x, at.y),
      /^unhandled promise rejection Worker 2 at \+50 ms in task crunch #2 Error: lost at crunch \(\/home\/dev\/demo\/tasks\.ts:3:18\)$/,
    );
    assert.ok(await page.locator('.finding-select[data-rule="unhandled-rejection"]').count(), 'the finding is listed');
  });

  it('the table view lists each process of each lane, how it ended and its replacement', async function () {
    await page.click('button[title^="Show lanes, spans and findings as tables"]');
    const table = page.locator('.tables table', { has: page.locator('caption', { hasText: 'Workers that ended and their replacements' }) });
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(rows, [
      ['Worker 1', 'pid 5001', '+1 ms', '+400 ms', 'killed by SIGKILL'],
      ['Worker 1', 'pid 5003', '+600 ms (replacement)', '+805 ms', 'exited as its pool asked'],
      ['Worker 2', 'pid 5002', '+1.2 ms', '+806 ms', 'exited as its pool asked'],
    ]);
  });
});
