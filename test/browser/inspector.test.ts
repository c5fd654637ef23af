// The standalone inspector page in a real headless Chromium, driven as a person would: what
// the lanes say, what hovering, clicking, zooming and the keyboard do, and that nothing from
// the trace runs as HTML.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { XSS, blockingCallbackTrace, type Fixture } from './fixtures';
import { laneLabels, launch, locate, openTrace, pixelAt, settle, stats, themeColour, type Opened, type Session } from './page';
import { allSpans } from '../storeSpans';

const ARTIFACTS = join(__dirname, '..', 'artifacts');

describe('inspector page (hand-built blocking-callback trace)', function () {
  let session: Session;
  let fx: Fixture;
  let opened: Opened;
  let page: Page;

  before(async function () {
    session = await launch();
    fx = blockingCallbackTrace();
  });
  beforeEach(async function () {
    opened = await openTrace(session, 'fixture', fx.store, fx.findings);
    page = opened.page;
  });
  afterEach(async function () {
    assert.deepEqual(opened.problems, [], 'no page errors, CSP violations or dialogs');
    await page.context().close();
  });
  after(async () => session?.close());

  it('shows Main, Callback, then the workers, each with its own number of spans', async function () {
    const expected = new Map<number, number>();
    for (let i = 0; i < fx.store.spanCount; i++) expected.set(fx.store.col.lane[i], (expected.get(fx.store.col.lane[i]) ?? 0) + 1);
    const labels = await laneLabels(page);
    assert.deepEqual(
      labels.map((l) => l.name),
      ['Main', 'Callback', 'Worker 1', 'Worker 2', 'Worker 3', 'Worker 4'],
    );
    assert.deepEqual(
      labels.map((l) => l.spans),
      [0, 1, 2, 3, 4, 5].map((id) => expected.get(id) ?? 0),
    );
    assert.match((await page.textContent('.lane-label[data-lane="Callback"] .lane-busy')) ?? '', /^busy \d+%$/);
  });

  it('draws the slow callback in the slow colour and hovering it tells what it was', async function () {
    const box = await locate(page, fx.slowCallback);
    assert.ok(box, 'the slow callback is in view');
    const [r, g, b] = await pixelAt(page, box.x + box.w - 6, box.y + box.h / 2);
    assert.deepEqual([r, g, b], await themeColour(page, '--ps-callback-slow'));
    await page.mouse.move(box.x + box.w / 2, box.y + box.h / 2);
    const tip = page.locator('.tooltip');
    await tip.waitFor({ state: 'visible' });
    const text = (await tip.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /onResult/);
    assert.match(text, /Callback · callback \(result\) · slow \(over 100 ms\)/);
    assert.match(text, /duration 250 ms/);
    assert.match(text, /ran 250 ms on the callback thread/);
  });

  it('clicking a finding selects its span and the details name the finding', async function () {
    await page.click('.finding-select[data-rule="callback-blocked"]');
    assert.equal((await stats(page)).selected, fx.slowCallback);
    assert.equal(await page.textContent('.details .span-name'), 'onResult');
    assert.match(await page.innerText('.details .facts'), /Status\s+slow/);
    assert.match(await page.innerText('.details .span-findings'), /ran 250 ms on the callback thread/);
  });

  it('wheel zoom, W/S, A/D and Fit change the time range in view', async function () {
    const full = (await stats(page)).window;
    const readout = async () => (await page.textContent('.range-readout')) ?? '';
    const before = await readout();
    const c = (await page.locator('.lanes-canvas').boundingBox())!;
    await page.mouse.move(c.x + c.width * 0.3, c.y + 40);
    await page.mouse.wheel(0, -600);
    await settle(page);
    const zoomed = (await stats(page)).window;
    assert.ok(zoomed[1] - zoomed[0] < (full[1] - full[0]) * 0.8, `wheel zoomed in: ${zoomed} vs ${full}`);
    assert.notEqual(await readout(), before);
    await page.focus('.timeline');
    await page.keyboard.press('w');
    const w = (await stats(page)).window;
    assert.ok(w[1] - w[0] < zoomed[1] - zoomed[0]);
    await page.keyboard.press('d');
    const d = (await stats(page)).window;
    assert.ok(d[0] > w[0] && Math.abs(d[1] - d[0] - (w[1] - w[0])) < 1e-6 * (w[1] - w[0]), 'D pans right keeping the width');
    await page.keyboard.press('s');
    assert.ok((await stats(page)).window[1] - (await stats(page)).window[0] > d[1] - d[0]);
    await page.click('button[title^="Zoom to fit"]');
    assert.deepEqual((await stats(page)).window, full);
  });

  it('dragging across the overview strip zooms to the brushed range', async function () {
    const ov = (await page.locator('.overview-brush').boundingBox())!;
    await page.mouse.move(ov.x + ov.width * 0.1, ov.y + ov.height / 2);
    await page.mouse.down();
    await page.mouse.move(ov.x + ov.width * 0.3, ov.y + ov.height / 2, { steps: 5 });
    await page.mouse.up();
    await settle(page);
    const [t0, t1] = (await stats(page)).window;
    const end = fx.store.end;
    assert.ok(t1 - t0 < end * 0.3 && t1 - t0 > end * 0.1, `brushed about a fifth: ${t0}..${t1} of ${end}`);
  });

  it('arrow keys move between spans and Enter selects the one reached', async function () {
    await page.focus('.timeline');
    await page.keyboard.press('ArrowRight');
    const first = (await stats(page)).cursor;
    assert.notEqual(first, undefined);
    const said = await page.textContent('.sr-only[aria-live]');
    assert.match(said ?? '', /^(Main|Callback|Worker \d): /, 'the screen reader hears where the cursor went');
    await page.keyboard.press('ArrowDown');
    const below = (await stats(page)).cursor!;
    assert.notEqual(below, first);
    await page.keyboard.press('ArrowRight');
    const next = (await stats(page)).cursor!;
    assert.notEqual(next, below);
    assert.equal(fx.store.col.lane[next], fx.store.col.lane[below], 'Right stays in the lane');
    assert.ok(fx.store.col.start[next] >= fx.store.col.start[below], 'Right goes forward in time');
    await page.keyboard.press('Enter');
    assert.equal((await stats(page)).selected, next);
    assert.equal(await page.textContent('.details .span-name'), fx.store.span(next).name);
  });

  it('a selected task shows its causal chain: submit, run, callback, release, each with its delay', async function () {
    const box = (await locate(page, fx.chainTask))!;
    await page.mouse.click(box.x + box.w / 2, box.y + box.h / 2);
    assert.equal((await stats(page)).selected, fx.chainTask);
    const points = await page.$$eval('.details ol.chain li', (lis) => lis.map((li) => ({ what: (li as HTMLElement).dataset.point, text: li.textContent })));
    assert.deepEqual(
      points.map((p) => p.what),
      ['submit', 'run', 'callback', 'release'],
    );
    assert.match(points[0].text!, /applyAsync on Main/);
    assert.match(points[1].text!, /square on Worker 2 .* queued/);
    assert.match(points[2].text!, /onResult on Callback .* callback waited/);
    assert.match(points[3].text!, /get returned on Main .* waiter released after/);
    // The callback of job 5 had to wait for the 250 ms one ahead of it.
    const waited = /callback waited ([\d.]+) ms/.exec(points[2].text!);
    assert.ok(waited && Number(waited[1]) > 100, points[2].text!);
  });

  it('search finds spans by name and Enter walks through the matches', async function () {
    await page.fill('input.search', 'onres');
    const expected = allSpans(fx.store).filter((s) => s.name === 'onResult').length;
    assert.equal(await page.textContent('.search-count'), `${expected} matches`);
    await page.press('input.search', 'Enter');
    const a = (await stats(page)).selected!;
    await page.press('input.search', 'Enter');
    const b = (await stats(page)).selected!;
    assert.equal(fx.store.span(a).name, 'onResult');
    assert.ok(fx.store.col.start[b] > fx.store.col.start[a]);
  });

  it('text from the trace stays text: a task named and printing HTML shows those characters', async function () {
    await page.fill('input.search', 'img');
    await page.press('input.search', 'Enter');
    assert.equal(await page.textContent('.details .span-name'), XSS);
    assert.match((await page.textContent('.details .printed')) ?? '', /<img src=x onerror=alert\(1\)>/);
    assert.equal(await page.locator('img').count(), 0);
  });

  it('the table view lists lanes, findings and the spans in view, and selects from the keyboard', async function () {
    await page.click('button[title^="Show lanes, spans and findings as tables"]');
    const captions = await page.$$eval('.tables caption', (cs) => cs.map((c) => c.textContent));
    assert.deepEqual(captions.slice(0, 2), ['Lanes', 'Findings']);
    assert.match(captions[2]!, /^Spans in view: 16$/);
    const laneRows = await page.$$eval('.tables table:first-of-type tbody th', (th) => th.map((t) => t.textContent));
    assert.deepEqual(laneRows, ['Main', 'Callback', 'Worker 1', 'Worker 2', 'Worker 3', 'Worker 4']);
    // Focus lands in the tables; Tab to a span's button and press Enter.
    const target = page.locator('.tables table:nth-of-type(3) tbody').getByRole('button', { name: 'onError', exact: true });
    await target.focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.textContent('.details .span-name'), 'onError');
    // Selecting rebuilds the tables; the keyboard stays on the row it was on.
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'onError');
  });

  it('takes its colours from the editor theme, including high contrast, and redraws when it changes', async function () {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'fixture-light.png') });
    const box = (await locate(page, fx.chainTask))!;
    const probe = () => pixelAt(page, box.x + box.w - 3, box.y + box.h / 2);
    assert.deepEqual(await probe(), await themeColour(page, '--ps-task'));
    // What the editor does on a theme switch: new --vscode-* values and a new body class.
    await page.evaluate(() => {
      const b = document.body.style;
      b.setProperty('--vscode-editor-background', '#000000');
      b.setProperty('--vscode-editor-foreground', '#ffffff');
      b.setProperty('--vscode-editorWidget-background', '#0c141f');
      b.setProperty('--vscode-charts-blue', 'rgba(0, 255, 255, 0.33)');
      b.setProperty('--vscode-contrastBorder', '#6fc3df');
      b.setProperty('--vscode-focusBorder', '#f38518');
      document.body.classList.add('vscode-high-contrast');
    });
    await settle(page);
    assert.deepEqual(await pixelAt(page, box.x + box.w + 40, box.y - 6), [12, 20, 31], 'the lane background follows the editor');
    assert.deepEqual(await probe(), [0, 255, 255], "tasks take the theme's chart colour, at full strength even when the theme makes it translucent");
    await page.screenshot({ path: join(ARTIFACTS, 'fixture-high-contrast.png') });
  });
});
