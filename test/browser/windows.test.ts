// A run the editor did not keep whole, in the editor's panel (webview API): when the view settles
// on a part of the run the tasks held do not cover, it asks the host for that window (a message
// the host's validator takes), says it is loading, and once the window arrives says what it shows.
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { analyze } from '../../src/analysis/index';
import { TraceFeed } from '../../src/protocol/encode';
import { PROTOCOL_VERSION, type HostMessage } from '../../src/protocol/messages';
import { checkViewEnvelope } from '../../src/protocol/validate';
import { pastBudgetTrace } from './fixtures';
import { launch, panelPage, settle, type Session } from './page';

type Posted = { msg: { type: string } & Record<string, unknown> };

describe('inspector panel, windows of a run past its span budget', function () {
  let session: Session;
  let page: Page;
  let seq = 0;
  const send = async (msg: HostMessage) => {
    await page.evaluate((e) => window.postMessage(e, '*'), { v: PROTOCOL_VERSION, seq: ++seq, msg });
    await settle(page);
  };
  const posted = async () => (await page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted)) as Posted[];
  const loads = async () => (await posted()).filter((m) => m.msg.type === 'loadWindow');

  before(async () => (session = await launch()));
  after(async () => session?.close());

  it('asks for the window in view, says it is loading, then says which window it shows', async function () {
    page = await (await session.browser.newContext({ viewport: { width: 1200, height: 600 } })).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    // The view as a user left it: zoomed on 35-45 ms, past the tasks the budget kept (issued from 1.4 ms on).
    const zoomed = { t0: 35_000, t1: 45_000, fitAll: false, follow: false, search: '', table: false };
    await page.goto(pathToFileURL(panelPage(session.dir, zoomed)).href);
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);

    const store = pastBudgetTrace();
    await send({
      type: 'trace',
      patch: new TraceFeed(store).snapshot(),
      findings: analyze(store),
      running: false,
      options: { blockThresholdMs: 100, host: 'vscode', windows: true },
    });
    await page.waitForFunction(() => (window as unknown as { __posted: { msg: { type: string } }[] }).__posted.some((m) => m.msg.type === 'loadWindow'));
    const [ask] = await loads();
    assert.deepEqual(ask.msg, { type: 'loadWindow', from: 35_000, to: 45_000 });
    assert.ok(checkViewEnvelope(ask).ok, 'the host takes the message');
    assert.match(await page.innerText('.not-kept'), /^Loading the tasks that ran from \+35 ms to \+45 ms from the run's journal… Not kept in memory: 6 tasks/);

    // The host answers with the window: tasks 5 and 6 of the fixture's ten ran in it.
    const windowed = pastBudgetTrace();
    windowed.notKept.byBudget = false;
    windowed.notKept.window = { from: 35_000, to: 45_000, complete: true, runTasks: 10 };
    await send({ type: 'trace', patch: new TraceFeed(windowed).snapshot(), findings: [], running: false, options: { blockThresholdMs: 100, host: 'vscode', windows: true } });
    assert.equal(
      await page.innerText('.not-kept'),
      "Shown: the tasks that ran from +35 ms to +45 ms, loaded from the run's journal; 6 of the run's 10 tasks are outside it, counted per lane (spans and busy share) but not drawn. 1 of them failed. The findings are those of the whole run, analysed at its end over the tasks kept then; they mark no span here.",
    );
    assert.deepEqual(problems, []);
  });
});
