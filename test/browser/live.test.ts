// The view as the editor hosts it: a page with the webview API, fed sequence-numbered batches
// from a TraceFeed over a run that is still going. Checks the ready handshake, incremental
// updates, follow mode, resync after a lost batch, state restore, and that every message the
// view posts passes the host's validator.
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { TraceFeed } from '../../src/protocol/encode';
import { PROTOCOL_VERSION, type HostEnvelope, type HostMessage } from '../../src/protocol/messages';
import type { WireFinding } from '../../src/protocol/wire';
import { checkViewEnvelope } from '../../src/protocol/validate';
import { TraceStore } from '../../src/trace/store';
import { laneLabels, launch, locate, panelPage, pixelAt, settle, stats, themeColour, type Session } from './page';

const SITE = '/workspace/live.ts:7:3';

function liveStore(): TraceStore {
  const s = new TraceStore({ file: '/workspace/live.ts', outcome: 'running' });
  s.addLane({ id: 0, name: 'Main', kind: 'main', pool: -1 });
  s.addLane({ id: 1, name: 'Callback', kind: 'callback', pool: -1 });
  s.addLane({ id: 2, name: 'Worker 1', kind: 'worker', pool: 0 });
  s.addLane({ id: 3, name: 'Worker 2', kind: 'worker', pool: 0 });
  return s;
}

describe('inspector as a live editor panel (webview API, sequence-numbered batches)', function () {
  let session: Session;
  let page: Page;
  let seq = 0;
  const send = async (msg: HostMessage, at = ++seq) => {
    const env: HostEnvelope = { v: PROTOCOL_VERSION, seq: at, msg };
    // As the editor posts a message: plain data by value, typed arrays as typed arrays.
    await page.evaluate((e) => window.postMessage(e, '*'), env);
    await settle(page);
  };
  const posted = async () => (await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted)) as { msg: { type: string } & Record<string, unknown> }[];
  const open = async (state?: unknown) => {
    page = await (await session.browser.newContext({ viewport: { width: 1200, height: 600 } })).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(pathToFileURL(panelPage(session.dir, state)).href);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    return problems;
  };

  before(async () => (session = await launch()));
  after(async () => session?.close());
  afterEach(async () => page?.context().close());

  it('says ready, takes a snapshot, then applies only the changed spans; a gap asks for a resync', async function () {
    const problems = await open();
    seq = 0;
    const first = await posted();
    assert.deepEqual(
      first.map((m) => m.msg),
      [{ type: 'ready', lastSeq: 0 }],
    );

    const store = liveStore();
    const feed = new TraceFeed(store);
    const running = store.addSpan({ lane: 2, kind: 'task', status: 'running', name: 'crunch', start: 1000, queued: 500, taskId: 0, job: 0, site: SITE });
    store.addSpan({ lane: 0, kind: 'wait', status: 'running', name: 'get', start: 600, job: 0, site: SITE });
    store.touch(5000);
    await send({ type: 'trace', patch: feed.snapshot(), findings: [], running: true, options: { blockThresholdMs: 100, host: 'vscode' } });
    assert.equal((await stats(page)).spans, 2);
    assert.match((await page.textContent('.outcome')) ?? '', /running…/);
    assert.equal(await page.getAttribute('button[title="Keep the newest time in view"]', 'aria-pressed'), 'true');

    // The run goes on: the running task ends, new spans arrive, time moves on.
    for (let k = 0; k < 30; k++)
      store.addSpan({
        lane: 2 + (k % 2),
        kind: 'task',
        status: 'ok',
        name: `t${k}`,
        start: 6000 + k * 1000,
        end: 6800 + k * 1000,
        queued: 5500 + k * 1000,
        taskId: k + 1,
        job: k + 1,
      });
    store.endSpan(running, 4000, 'error', 'Error: <b>bad</b>');
    const delta = feed.delta();
    assert.equal(delta.reset, false);
    assert.equal(delta.spans.n, 31, 'the delta carries the changed span and the 30 new ones, not the unchanged wait');
    await send({ type: 'trace', patch: delta, running: true });
    assert.equal((await stats(page)).spans, 32);
    assert.deepEqual(
      (await laneLabels(page)).map((l) => l.spans),
      [1, 0, 16, 15],
    );
    const [, t1] = (await stats(page)).window;
    assert.ok(t1 >= store.end, `follow mode keeps the newest time (${store.end}) in view: ${t1}`);

    // A lost batch: the view drops what follows and asks for a snapshot.
    store.addSpan({ lane: 3, kind: 'task', status: 'ok', name: 'late', start: 40000, end: 41000, taskId: 99, job: 99 });
    await send({ type: 'trace', patch: feed.delta(), running: true }, seq + 2);
    const resync = (await posted()).find((m) => m.msg.type === 'resync');
    assert.deepEqual(resync?.msg, { type: 'resync', expected: 3, got: 4 });
    assert.equal((await stats(page)).spans, 32, 'nothing applied after a gap');
    seq = 4;
    await send({ type: 'trace', patch: feed.snapshot(), findings: [], running: false });
    assert.equal((await stats(page)).spans, 33);

    // Every message the view posted passes the host's check.
    const all = await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
    for (const m of all) assert.ok(checkViewEnvelope(m).ok, JSON.stringify(m));
    assert.ok(all.some((m) => (m as { msg: { type: string; spans?: number } }).msg.type === 'applied'));
    assert.deepEqual(problems, []);
  });

  it("a stopped run: the line main's own code was at closes Main's lane at the end, and the header's Go to source opens it", async function () {
    await open();
    seq = 0;
    const store = liveStore();
    store.meta.outcome = 'stopped';
    store.meta.stoppedAt = { file: '/workspace/live.ts', line: 12, col: 5 };
    const run = store.addSpan({ lane: 0, kind: 'run', status: 'running', name: 'main', start: 1000, end: 50000 });
    await send({ type: 'trace', patch: new TraceFeed(store).snapshot(), findings: [], running: false });
    assert.match((await page.textContent('.outcome')) ?? '', /^stopped · 1 spans · .* · main was at live\.ts:12:5 Go to source$/);
    const box = await locate(page, run);
    assert.ok(box, "main's running span is in view");
    assert.deepEqual(await pixelAt(page, box.x + box.w - 1.5, box.y + box.h / 2), await themeColour(page, '--ps-mark-bad'), "a bar closes Main's lane at the end");
    assert.notDeepEqual(await pixelAt(page, box.x + box.w / 2, box.y + box.h / 2), await themeColour(page, '--ps-mark-bad'), 'only at the end');
    await page.click('.outcome .go-to-source');
    const req = (await posted()).find((m) => m.msg.type === 'openSource')!;
    assert.ok(checkViewEnvelope(req).ok);
    assert.deepEqual(req.msg, { type: 'openSource', site: { file: '/workspace/live.ts', line: 12, col: 5 } });
  });

  it('findings that come with a piece of a big trace while more pieces follow are shown once the last is in', async function () {
    await open();
    seq = 0;
    const store = liveStore();
    const feed = new TraceFeed(store);
    store.addSpan({ lane: 2, kind: 'task', status: 'ok', name: 'crunch', start: 1000, end: 2000, queued: 500, taskId: 0, job: 0, site: SITE });
    store.touch(3000);
    const finding: WireFinding = {
      rule: 'errors-unseen',
      severity: 'warning',
      message: 'an error nobody saw',
      site: { file: '/workspace/live.ts', line: 7, col: 3 },
      related: [],
      spans: [0],
    };
    // The host's pieces, back to back as it posts them: a snapshot just drawn, then a piece with
    // more to come (not drawn yet) that brings the findings, then the last piece.
    const first = feed.snapshot();
    store.addSpan({ lane: 3, kind: 'task', status: 'ok', name: 'crunch', start: 2000, end: 2500, queued: 600, taskId: 1, job: 1, site: SITE });
    const piece = { ...feed.delta(), more: true };
    store.addSpan({ lane: 2, kind: 'task', status: 'ok', name: 'crunch', start: 2600, end: 2900, queued: 700, taskId: 2, job: 2, site: SITE });
    const last = feed.delta();
    const envs: HostEnvelope[] = [
      { v: PROTOCOL_VERSION, seq: 1, msg: { type: 'trace', patch: first, findings: [], running: false } },
      { v: PROTOCOL_VERSION, seq: 2, msg: { type: 'trace', patch: piece, findings: [finding], running: false } },
      { v: PROTOCOL_VERSION, seq: 3, msg: { type: 'trace', patch: last, running: false } },
    ];
    await page.evaluate((all) => all.forEach((e) => window.postMessage(e, '*')), envs);
    await settle(page);
    seq = 3;
    assert.equal((await stats(page)).spans, 3);
    assert.deepEqual(await page.$$eval('.findings-list .rule', (els) => els.map((e) => e.textContent)), ['errors-unseen']);
  });

  it('Go to source posts a checked request; the view state survives a reload', async function () {
    await open();
    seq = 0;
    const store = liveStore();
    const task = store.addSpan({ lane: 2, kind: 'task', status: 'ok', name: 'crunch', start: 1000, end: 9000, queued: 500, taskId: 0, job: 0, site: SITE });
    store.addSpan({ lane: 3, kind: 'task', status: 'ok', name: 'other', start: 20000, end: 90000, taskId: 1, job: 1 });
    await send({ type: 'trace', patch: new TraceFeed(store).snapshot(), findings: [], running: false });
    await send({ type: 'select', spans: [task] });
    assert.equal((await stats(page)).selected, task);
    await page.click('.details .go-to-source');
    const req = (await posted()).find((m) => m.msg.type === 'openSource')!;
    assert.ok(checkViewEnvelope(req).ok);
    assert.deepEqual(req.msg, { type: 'openSource', site: { file: '/workspace/live.ts', line: 7, col: 3 } });
    await page.focus('.timeline');
    await page.keyboard.press('w');
    await page.keyboard.press('w');
    const before = (await stats(page)).window;
    // The view saves its window once zooming settles.
    await page.waitForFunction(([t0, t1]) => {
      const s = (window as unknown as { __state?: { t0: number; t1: number } }).__state;
      return s !== undefined && s.t0 === t0 && s.t1 === t1;
    }, before);
    const saved = await page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    await page.context().close();

    await open(saved);
    seq = 0;
    await send({ type: 'trace', patch: new TraceFeed(store).snapshot(), findings: [], running: false });
    const after = await stats(page);
    assert.equal(after.selected, task);
    assert.ok(Math.abs(after.window[0] - before[0]) < 1 && Math.abs(after.window[1] - before[1]) < 1, `${after.window} vs ${before}`);
    assert.equal(await page.textContent('.details .span-name'), 'crunch');
  });
});
