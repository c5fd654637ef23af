// Every example run through the real command line (`poolscope run <file> --html`), its page
// opened in Chromium: the lanes and span counts the reader sees match the saved trace, the
// rule each example teaches is marked where it happened, and a screenshot is kept.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { readChromeTrace } from '../../src/trace/chromeTrace';
import type { TraceStore } from '../../src/trace/store';
import { laneLabels, launch, locate, openFile, pixelAt, stats, themeColour, type Opened, type Session } from './page';
import { allSpans } from '../storeSpans';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const EXAMPLES = [
  'apply-callback',
  'map-callbacks',
  'error-callback',
  'callback-thread',
  'shared-state',
  'callback-timing',
  'callback-throws',
  'callback-blocks',
  'done-callbacks',
  'failing-initializer',
  'executor-map-raises',
];

interface Run {
  store: TraceStore;
  html: string;
}

async function runExample(session: Session, name: string, file = join(ROOT, 'examples', `${name}.ts`)): Promise<Run> {
  const trace = join(session.dir, `${name}.json`),
    html = join(session.dir, `${name}.html`);
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.mjs'), 'run', file, '--trace', trace, '--html', html, '--timeout', '20000'], {
    encoding: 'utf8',
    timeout: 60000,
  });
  assert.ok(existsSync(html) && existsSync(trace), `the CLI wrote ${name}'s trace and page (exit ${r.status}): ${r.stderr}`);
  return { store: await readChromeTrace(() => createReadStream(trace), trace), html };
}

function spansPerLane(store: TraceStore): Map<string, number> {
  const out = new Map(store.lanes.map((l) => [l.name, 0]));
  for (let i = 0; i < store.spanCount; i++) {
    const name = store.laneById(store.col.lane[i])!.name;
    out.set(name, out.get(name)! + 1);
  }
  return out;
}

async function clickSpan(page: Page, i: number): Promise<void> {
  const box = await locate(page, i);
  assert.ok(box, `span ${i} is in view`);
  await page.mouse.click(box.x + Math.min(box.w / 2, 4), box.y + box.h / 2);
  assert.equal((await stats(page)).selected, i);
}

/** Selects `span` by searching for its name, and reads the kinds of the points of its causal chain. */
async function chainOf(page: Page, span: { name: string; index: number }): Promise<string[]> {
  await page.evaluate(() => document.querySelector<HTMLElement>('.timeline')!.focus());
  await page.fill('input.search', span.name);
  while ((await stats(page)).selected !== span.index) await page.press('input.search', 'Enter');
  return page.$$eval('.details ol.chain li', (lis) => lis.map((li) => (li as HTMLElement).dataset.point!));
}

describe('inspector page on the examples (real runs through the CLI)', function () {
  this.timeout(180000);
  let session: Session;
  const runs = new Map<string, Run>();

  before(function () {
    assert.ok(existsSync(join(ROOT, 'dist', 'cli.mjs')), 'dist/cli.mjs is built (npm run build)');
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  before(async function () {
    session = await launch();
    for (const name of EXAMPLES) runs.set(name, await runExample(session, name));
  });
  after(async () => session?.close());

  for (const name of EXAMPLES) {
    it(`${name}: lanes in order with the trace's span counts, no page errors`, async function () {
      const { store, html } = runs.get(name)!;
      const opened: Opened = await openFile(session, html);
      const { page } = opened;
      try {
        const labels = await laneLabels(page);
        const names = labels.map((l) => l.name);
        assert.equal(names[0], 'Main');
        assert.equal(names[1], 'Callback');
        assert.ok(
          names.slice(2).every((n) => /^Worker \d+$/.test(n)),
          names.join(', '),
        );
        assert.equal(names.length, store.lanes.length);
        const expected = spansPerLane(store);
        for (const l of labels) assert.equal(l.spans, expected.get(l.name), `${l.name} spans`);
        assert.equal((await stats(page)).spans, store.spanCount);
        await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
        assert.deepEqual(opened.problems, []);
      } finally {
        await page.context().close();
      }
    });
  }

  it('callback-blocks: the blocking callback is marked slow, on canvas and in the details', async function () {
    const { html } = runs.get('callback-blocks')!;
    const { page, problems } = await openFile(session, html, { width: 1440, height: 620 });
    try {
      await page.click('.finding-select[data-rule="callback-blocked"]');
      const sel = (await stats(page)).selected!;
      assert.notEqual(sel, undefined);
      assert.match(await page.innerText('.details .facts'), /Kind\s+callback[\s\S]*Status\s+slow \(over 100 ms\)/);
      assert.match(await page.innerText('.details .span-findings'), /held the callback thread/);
      const box = (await locate(page, sel))!;
      assert.deepEqual(await pixelAt(page, box.x + box.w - 4, box.y + 3), await themeColour(page, '--ps-callback-slow'));
      await page.screenshot({ path: join(ARTIFACTS, 'callback-blocks-selected.png') });
      assert.deepEqual(problems, []);
    } finally {
      await page.context().close();
    }
  });

  it('callback-throws: the callback that threw is marked, with its error', async function () {
    const { store, html } = runs.get('callback-throws')!;
    const { page, problems } = await openFile(session, html);
    try {
      await page.click('.finding-select[data-rule="callback-threw"]');
      const sel = (await stats(page)).selected!;
      assert.equal(store.span(sel).status, 'threw');
      assert.match(await page.innerText('.details .facts'), /Status\s+threw/);
      assert.ok((await page.textContent('.details pre.error'))!.length > 0, 'the error is shown');
      const box = (await locate(page, sel))!;
      assert.deepEqual(await pixelAt(page, box.x + box.w / 2, box.y + 2), await themeColour(page, '--ps-callback-threw'));
      assert.deepEqual(problems, []);
    } finally {
      await page.context().close();
    }
  });

  it('apply-callback: a task with a callback and a waiter shows its four-point chain', async function () {
    const { store, html } = runs.get('apply-callback')!;
    const spans = allSpans(store);
    const task = spans.find((t) => t.kind === 'task' && spans.some((c) => c.kind === 'callback' && c.job === t.job) && spans.some((w) => w.kind === 'wait' && w.job === t.job));
    assert.ok(task, 'the example has a task with a callback and a waiter');
    const { page, problems } = await openFile(session, html);
    try {
      await page.evaluate(() => document.querySelector<HTMLElement>('.timeline')!.focus());
      // Zoom in on the task so it is wide enough to hit.
      await page.fill('input.search', task.name);
      while ((await stats(page)).selected !== task.index) await page.press('input.search', 'Enter');
      await clickSpan(page, task.index);
      const points = await page.$$eval('.details ol.chain li', (lis) => lis.map((li) => (li as HTMLElement).dataset.point));
      assert.deepEqual(points, ['submit', 'run', 'callback', 'release']);
      const times = await page.$$eval('.details ol.chain .chain-at', (els) => els.map((e) => e.textContent!));
      assert.equal(times.length, 4);
      await page.screenshot({ path: join(ARTIFACTS, 'apply-callback-chain.png') });
      assert.deepEqual(problems, []);
    } finally {
      await page.context().close();
    }
  });

  it('executor-map-raises: the items cancelled after the error are shown as cancelled tasks that never ran', async function () {
    const { store, html } = runs.get('executor-map-raises')!;
    const cancelled = allSpans(store).find((s) => s.kind === 'task' && s.status === 'cancelled');
    assert.ok(cancelled, 'the run cancelled an item');
    const { page, problems } = await openFile(session, html);
    try {
      const points = await chainOf(page, cancelled);
      assert.match(await page.innerText('.details .facts'), /Kind\s+task[\s\S]*Status\s+cancelled/);
      assert.deepEqual(points.slice(0, 2), ['submit', 'cancelled']);
      assert.match(await page.innerText('.details ol.chain'), /parse cancelled before a worker took it/);
      await page.screenshot({ path: join(ARTIFACTS, 'executor-map-raises-cancelled.png') });
      assert.deepEqual(problems, []);
    } finally {
      await page.context().close();
    }
  });

  it('a ThreadPool terminated with tasks queued: the details say they never ran because the pool was terminated, not that they were cancelled', async function () {
    const { store, html } = await runExample(session, 'thread-terminate-drops', join(ROOT, 'test', 'python', 'programs', 'thread_terminate_drops.py'));
    const dropped = allSpans(store).find((s) => s.kind === 'task' && s.status === 'cancelled');
    assert.ok(dropped, 'terminate() dropped a queued task');
    const { page, problems } = await openFile(session, html);
    try {
      const points = await chainOf(page, dropped);
      assert.deepEqual(points.slice(0, 2), ['submit', 'dropped']);
      const chain = await page.innerText('.details ol.chain');
      assert.match(chain, /work never ran: the pool was terminated before a worker took it/);
      assert.doesNotMatch(chain, /cancel/);
      await page.screenshot({ path: join(ARTIFACTS, 'thread-terminate-dropped.png') });
      assert.deepEqual(problems, []);
    } finally {
      await page.context().close();
    }
  });
});
