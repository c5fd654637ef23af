// The inspector shows text from the user's program, so that text must never become markup or
// script: checked with markup in every place (arguments, results, errors, output, a callback's
// name, the file's name) from a real run, in the standalone HTML report and in the live panel.
// The live panel is the very page the extension serves (its HTML and policy), which allows
// only its own nonce-carrying script.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { inspectorCsp } from '../../src/extension/inspectorHtml';
import { TraceFeed } from '../../src/protocol/encode';
import { PROTOCOL_VERSION, type HostMessage } from '../../src/protocol/messages';
import type { TraceStore } from '../../src/trace/store';
import type * as HostApi from '../runtime/host';
import { PANEL_NONCE, launch, locate, openFile, panelPage, settle, stats, type Session } from './page';

const ROOT = resolve(__dirname, '..', '..');
const PLACES = ['argument', 'result', 'error', 'output', 'callback name'];
/** The task file's own name: it is shown wherever a place in it is. */
const MARKUP_NAME = '<img src=x onerror="window.__pwned=\'path\'">.ts';

/** Watches for what an injection would leave: a page error, a dialog, a blocked inline script or handler. */
async function watch(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => (problems.push(`dialog: ${d.message()}`), void d.dismiss()));
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => ((window as unknown as { __violations: string[] }).__violations ??= []).push(`${e.violatedDirective} ${e.sample}`)),
  );
  return problems;
}

/** Selects every span in turn (clicking it, as a reader would) and gathers the text the page shows. */
async function textOfEverySpan(page: Page): Promise<string> {
  let text = await page.innerText('body');
  const n = (await stats(page)).spans;
  for (let i = 0; i < n; i++) {
    const r = await locate(page, i);
    if (!r) continue;
    await page.mouse.move(r.x + Math.max(1, r.w / 2), r.y + r.h / 2);
    await page.mouse.click(r.x + Math.max(1, r.w / 2), r.y + r.h / 2);
    await settle(page);
    text += '\n' + (await page.innerText('body'));
  }
  return text;
}

async function assertStayedText(page: Page, problems: string[], text: string): Promise<void> {
  // Previews of values show strings as JSON, so their quotes may be escaped.
  for (const where of PLACES) assert.ok(new RegExp(`<img src=x onerror=\\\\?"window\\.__pwned='${where}'`).test(text), `the ${where}'s markup is not shown as text`);
  assert.ok(text.includes(MARKUP_NAME), "the file name's markup is not shown as text");
  assert.equal(await page.locator('img').count(), 0, 'an <img> from the program became an element');
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined);
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? []), []);
  assert.deepEqual(problems, []);
}

describe('text from the program never becomes markup', function () {
  this.timeout(120_000);
  let session: Session;
  let store: TraceStore;
  let findings: unknown;
  let file: string;

  before(async () => {
    session = await launch();
    file = join(session.dir, MARKUP_NAME);
    copyFileSync(join(__dirname, 'programs', 'injection.ts'), file);
    const host = (await import(pathToFileURL(join(ROOT, 'dist', 'test-host.mjs')).href)) as typeof HostApi;
    const run = await host.startRun(file, { workers: 1, timeoutMs: 60_000 }).done;
    assert.equal(run.outcome, 'returned', run.error?.message);
    store = run.store;
    findings = host.analyze(store);
  });
  after(async () => session?.close());

  it('in the HTML report written by the CLI', async () => {
    const html = join(session.dir, 'report.html');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.mjs'), 'run', file, '--html', html], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const opened = await openFile(session, html);
    // Loaded again with the watch in place from its start.
    const problems = await watch(opened.page);
    await opened.page.reload();
    await opened.page.waitForFunction(() => performance.getEntriesByName('poolscope:first-frame').length > 0);
    await assertStayedText(opened.page, [...problems, ...opened.problems], await textOfEverySpan(opened.page));
    await opened.page.context().close();
  });

  it("in the live panel, served under the extension's own page and policy", async () => {
    const policy = inspectorCsp({ cspSource: 'file:', nonce: PANEL_NONCE });
    // The policy allows the extension's script by nonce and nothing inline or evaluated.
    assert.match(policy, /^default-src 'none'; script-src 'nonce-[^']+';/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*|https?:/);
    const htmlFile = panelPage(session.dir, undefined);
    const ctx = await session.browser.newContext({ viewport: { width: 1400, height: 760 } });
    const page = await ctx.newPage();
    const problems = await watch(page);
    await page.goto(pathToFileURL(htmlFile).href);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    const msg: HostMessage = {
      type: 'trace',
      patch: new TraceFeed(store).snapshot(),
      findings: JSON.parse(JSON.stringify(findings)),
      running: false,
      options: { blockThresholdMs: 100, host: 'vscode' },
    };
    // As the editor posts it: plain data by value, typed arrays as typed arrays.
    await page.evaluate((e) => window.postMessage(e, '*'), { v: PROTOCOL_VERSION, seq: 1, msg });
    await settle(page);
    assert.equal((await stats(page)).spans, store.spanCount);
    await assertStayedText(page, problems, await textOfEverySpan(page));
    await ctx.close();
  });
});
