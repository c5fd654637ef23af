// A real headless Chromium (Debian's) with the standalone inspector page loaded from a file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { htmlReport } from '../../src/cli/htmlReport';
import { inspectorHtml } from '../../src/extension/inspectorHtml';
import { writeChunks } from '../../src/trace/writeChunks';
import type { WireFinding } from '../../src/protocol/wire';
import type { TraceStore } from '../../src/trace/store';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.mjs';

export { CHROMIUM_ARGS, CHROMIUM_PATH };

export interface Session {
  browser: Browser;
  dir: string;
  close(): Promise<void>;
}

export async function launch(): Promise<Session> {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-browser-'));
  // Playwright gives each launch a fresh, temporary user-data-dir of its own.
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  return { browser, dir, close: async () => (await browser.close(), rmSync(dir, { recursive: true, force: true })) };
}

export interface Opened {
  page: Page;
  /** page errors and CSP violations seen while it ran */
  problems: string[];
}

export async function openTrace(
  s: Session,
  name: string,
  store: TraceStore,
  findings: WireFinding[],
  viewport = { width: 1400, height: 760 },
  colorScheme: 'light' | 'dark' = 'light',
): Promise<Opened> {
  const file = join(s.dir, `${name}.html`);
  await writeChunks(file, htmlReport(store, findings));
  return openFile(s, file, viewport, colorScheme);
}

export interface Probe {
  stats(): { spans: number; lanes: string[]; window: [number, number]; selected?: number; cursor?: number; frames: number[]; frameCount: number };
  locate(i: number): { x: number; y: number; w: number; h: number } | undefined;
}

export const stats = (page: Page) => page.evaluate(() => (window as unknown as { poolscopeProbe: Probe }).poolscopeProbe.stats());
export const locate = (page: Page, i: number) => page.evaluate((k) => (window as unknown as { poolscopeProbe: Probe }).poolscopeProbe.locate(k), i);

/** Lane labels as a reader sees them, top to bottom, with the span count each lane reports. */
export const laneLabels = (page: Page) =>
  page.$$eval('.lane-label[data-lane]', (els) => els.map((e) => ({ name: (e as HTMLElement).dataset.lane!, spans: Number((e as HTMLElement).dataset.spans) })));

/** Waits until the view has drawn a frame after whatever the test just did. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** The colour drawn at a client point of the lanes canvas, as [r, g, b]. */
export const pixelAt = (page: Page, x: number, y: number) =>
  page.evaluate(
    ([cx, cy]) => {
      const c = document.querySelector<HTMLCanvasElement>('.lanes-canvas')!;
      const b = c.getBoundingClientRect();
      const k = c.width / b.width;
      const d = c.getContext('2d')!.getImageData(Math.round((cx - b.left) * k), Math.round((cy - b.top) * k), 1, 1).data;
      return [d[0], d[1], d[2]];
    },
    [x, y],
  );

/** A CSS colour from the page's theme variables, as [r, g, b]. */
export const themeColour = (page: Page, variable: string) =>
  page.evaluate((v) => {
    const probe = document.createElement('div');
    probe.style.color = `var(${v})`;
    document.body.append(probe);
    const m = getComputedStyle(probe).color.match(/\d+/g)!.map(Number);
    probe.remove();
    return m.slice(0, 3);
  }, variable);

/** Opens an HTML file written by someone else (the CLI's --html). */
export async function openFile(s: Session, file: string, viewport = { width: 1400, height: 760 }, colorScheme: 'light' | 'dark' = 'light'): Promise<Opened> {
  const ctx = await s.browser.newContext({ viewport, deviceScaleFactor: 2, colorScheme });
  const page = await ctx.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => performance.getEntriesByName('poolscope:first-frame').length > 0, undefined, { timeout: 15000 });
  return { page, problems };
}

export const PANEL_NONCE = 'cGFuZWwtdGVzdC1ub25jZQ';

/**
 * The live panel's page as the extension serves it (its HTML and policy), in `dir`, with a
 * stand-in for the editor's webview API (allowed by the same nonce) that records what the view
 * posts in window.__posted and keeps its state in window.__state.
 */
export function panelPage(dir: string, savedState: unknown): string {
  const file = join(dir, 'panel.html');
  const root = join(__dirname, '..', '..');
  const api = `window.__posted=[];window.__state=${JSON.stringify(savedState ?? null)};window.acquireVsCodeApi=()=>({postMessage:(m)=>window.__posted.push(JSON.parse(JSON.stringify(m))),getState:()=>window.__state??undefined,setState:(s)=>{window.__state=s;}});`;
  const served = inspectorHtml({
    cspSource: 'file:',
    nonce: PANEL_NONCE,
    scriptUri: pathToFileURL(join(root, 'media/dist/webview.js')).href,
    styleUri: pathToFileURL(join(root, 'media/dist/webview.css')).href,
  });
  writeFileSync(file, served.replace('<div id="app"></div>', `<div id="app"></div>\n<script nonce="${PANEL_NONCE}">${api}</script>`));
  return file;
}
