// End to end, as a user: the real workbench (code-server) in headless Chromium, the extension
// loaded from this repository. Opens an example, runs "Run in Pool" from the command palette,
// waits for the status bar outcome and the Problems panel entry, and saves a screenshot.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, launchBrowser, makeRunDir, removeRunDir, startCodeServer, workbenchUrl } from '../runner/codeServer.mjs';

const EXAMPLE = 'callback-blocks.ts';
const ARTIFACTS = join(REPO_ROOT, 'test', 'artifacts');

describe('the workbench, driven as a user would', function () {
  this.timeout(180_000);
  let runDir;
  let server;
  let browser;
  let page;

  before(async () => {
    runDir = makeRunDir('poolscope-e2e-');
    // A calm window: no welcome page, no inspector squeezing the editor out of the screenshot.
    mkdirSync(join(runDir, 'user-data', 'User'), { recursive: true });
    writeFileSync(
      join(runDir, 'user-data', 'User', 'settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
        'poolscope.openInspectorOnRun': false,
      }),
    );
    server = await startCodeServer(runDir);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(workbenchUrl(server, { folder: REPO_ROOT }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.statusbar').waitFor();
  });

  // What the window looked like when a test failed, for whoever reads the CI log.
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !page) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, `failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}.png`) });
  });

  after(async () => {
    await browser?.close();
    server?.stop();
    if (runDir) removeRunDir(runDir);
  });

  // The palette lists the commands known when it opens: on a cold machine the extension's
  // contributions can arrive after that, so a palette without the command is closed and
  // opened again rather than waited on.
  async function commandPalette(text, timeout = 60_000) {
    const input = page.locator('.quick-input-widget input');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    const deadline = Date.now() + timeout;
    for (;;) {
      await page.keyboard.press('F1');
      await input.waitFor();
      await input.fill(`>${text}`);
      try {
        await row.waitFor({ timeout: 3_000 });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await page.keyboard.press('Escape');
      }
    }
    await page.keyboard.press('Enter');
  }

  it('runs an example from the command palette and shows the outcome and the problem', async () => {
    await commandPalette('Go to File');
    const input = page.locator('.quick-input-widget input');
    await input.fill(EXAMPLE);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: EXAMPLE }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: EXAMPLE }).waitFor();
    // The editor-title button comes from the extension's manifest: once it shows, VS Code knows the extension.
    await page.locator('.editor-actions [aria-label*="Run in Pool"]').waitFor({ timeout: 60_000 });

    await commandPalette('Poolscope: Run in Pool');
    const outcome = page.locator('.statusbar-item', { hasText: /Pool: \w[\w-]* · \d+ findings?/ });
    await outcome.waitFor({ timeout: 60_000 });
    const statusText = await outcome.innerText();
    assert.match(statusText, /Pool: returned · [1-9]\d* findings?/, 'the run returned and found something');

    await commandPalette('View: Focus Problems');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'callback-blocked' }).first();
    await problem.waitFor({ timeout: 30_000 });
    const problemText = await problem.innerText();
    assert.match(problemText, /held the callback thread/);
    await problem.click();
    await page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor();

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'run-in-pool.png') });
  });

  // Starts a run by a click and waits for its outcome in the status bar. When the status bar
  // shows no new run soon after, nothing started, and the click is made again.
  async function runBy(click, timeout = 60_000) {
    const statusItem = page.locator('.statusbar-item', { hasText: /Pool: / });
    const before = await statusItem.innerText();
    const deadline = Date.now() + timeout;
    for (;;) {
      await click();
      try {
        await page.waitForFunction(
          (prev) => [...globalThis.document.querySelectorAll('.statusbar-item')].some((e) => e.innerText.includes('Pool: ') && e.innerText !== prev),
          before,
          { timeout: 5_000 },
        );
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await page.keyboard.press('Escape');
      }
    }
    const outcome = page.locator('.statusbar-item', { hasText: /Pool: returned · \d+ findings?/ });
    await outcome.waitFor({ timeout });
    return outcome.innerText();
  }

  it('runs from the explorer context menu and the editor title, and the status bar opens the inspector', async () => {
    const statusItem = page.locator('.statusbar-item', { hasText: /Pool: / });

    // How many findings apply-callback has is the examples' tests' business (on a loaded machine
    // a result can be taken in late enough for main-blocked); here, that each entry point starts
    // a run of its file, and that the status bar opens the inspector.
    await runBy(async () => {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'apply-callback.ts' }).click({ button: 'right' });
      // Chosen by keyboard: the menu sometimes ignores a mouse click that comes right after the
      // right-click that opened it, leaving the item highlighted and nothing run.
      await page.locator('.monaco-menu .action-item', { hasText: 'Run in Pool' }).hover();
      await page.keyboard.press('Enter');
    });
    await page.locator('.tabs-container .tab', { hasText: EXAMPLE }).click();
    const blocked = await runBy(() => page.locator('.editor-actions [aria-label*="Run in Pool"]').click());
    assert.match(blocked, /Pool: returned · [1-9]\d* findings?/, `${EXAMPLE} ran: its callback blocks`);

    await statusItem.click();
    await page.locator('.tabs-container .tab', { hasText: 'Pool Inspector' }).waitFor({ timeout: 30_000 });
  });
});
