// `node scripts/python-screenshot.mjs [program.py] [rule] [out.png]`: the README's picture of a
// Python run. Runs the program through the built CLI with --html, opens that standalone page in
// headless Chromium (Debian's, through playwright-core), brushes the overview to the time the
// program's pools were at work (the interpreter's start-up before them is left out), selects the
// finding of `rule` so its span and details show, and saves the page. Expects `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(new URL('..', import.meta.url).pathname);
const [program = 'examples/python/callback_blocks.py', rule = 'callback-blocked', out = 'media/inspector-python.png'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'poolscope-shot-'));
try {
  const html = join(dir, 'run.html');
  const trace = join(dir, 'run.json');
  const run = spawnSync(process.execPath, [join(root, 'dist/cli.mjs'), 'run', resolve(root, program), '--html', html, '--trace', trace], { encoding: 'utf8', timeout: 120_000 });
  if (!existsSync(html)) throw new Error(`the CLI wrote no page (exit ${run.status}): ${run.stderr}`);
  const { pools, end } = JSON.parse(readFileSync(trace, 'utf8')).metadata.poolscope;
  const from = Math.min(...pools.map((p) => p.created)) / end;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 620 }, deviceScaleFactor: 2 })).newPage();
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() => performance.getEntriesByName('poolscope:first-frame').length > 0, undefined, { timeout: 15_000 });
    const ov = await page.locator('.ov-wrap').boundingBox();
    const y = ov.y + ov.height / 2;
    await page.mouse.move(ov.x + Math.max(0, from - 0.02) * ov.width, y);
    await page.mouse.down();
    await page.mouse.move(ov.x + ov.width - 1, y, { steps: 8 });
    await page.mouse.up();
    await page.click(`.finding-select[data-rule="${rule}"]`);
    // Runs in the page: two frames, so the selection is drawn before the screenshot.
    await page.evaluate(() => new Promise((r) => globalThis.requestAnimationFrame(() => globalThis.requestAnimationFrame(r))));
    await page.screenshot({ path: resolve(root, out) });
    console.log(`wrote ${out} from ${program}, with its ${rule} finding selected`);
  } finally {
    await browser.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
