// Inspector benchmark in headless Chromium: for synthetic traces of 10k, 100k and 1M spans over
// 16 workers, the time from navigation to the first complete frame, the view's work per frame
// (median and p95) during a scripted zoom and pan, and memory at the end. The 10k trace is the
// baseline the larger ones are compared with. Appends to bench/RESULTS.md under its own heading.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { htmlReport } from '../../src/cli/htmlReport';
import { writeChunks } from '../../src/trace/writeChunks';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/browser/page';
import { syntheticTrace } from './synthetic';

// 0 spans: the empty page, whose memory is the baseline the traces' memory is measured against.
const SIZES = (process.env.BENCH_SIZES ?? '0,10000,100000,1000000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const HEADING = '## Inspector (webview)';
const RESULTS = join(__dirname, '..', 'RESULTS.md');

interface Sample {
  firstFrameMs: number;
  frames: number[];
  heapMB: number;
  rendererMB: number;
  htmlMB: number;
}

const median = (a: number[]) => quantile(a, 0.5);
function quantile(a: number[], q: number): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
}

/** Resident memory of the renderer processes of this browser, in MB (the page's whole footprint). */
function rendererRssMB(browserPid: number | undefined): number {
  if (!browserPid) return NaN;
  const out = execFileSync('ps', ['-eo', 'pid,ppid,rss,args'], { encoding: 'utf8' });
  const rows = out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ pid: +m[1], ppid: +m[2], rss: +m[3], args: m[4] }));
  const tree = new Set([browserPid]);
  for (let changed = true; changed;) {
    changed = false;
    for (const r of rows) {
      if (tree.has(r.ppid) && !tree.has(r.pid)) {
        tree.add(r.pid);
        changed = true;
      }
    }
  }
  const renderers = rows.filter((r) => tree.has(r.pid) && r.args.includes('--type=renderer'));
  return Math.max(0, ...renderers.map((r) => r.rss)) / 1024;
}

/** The inspector's probe (test builds, which `npm run bench:webview` makes): frame times. */
interface ProbeWindow {
  poolscopeProbe: { stats(): { frames: number[]; frameCount: number } };
}

async function scriptedZoomPan(page: Page): Promise<number[]> {
  const box = (await page.locator('.lanes-canvas').boundingBox())!;
  const before = await page.evaluate(() => (window as unknown as ProbeWindow).poolscopeProbe.stats().frameCount);
  const frame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(0))));
  const cy = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.37, cy);
  for (let k = 0; k < 40; k++) {
    await page.mouse.wheel(0, -120);
    await frame();
  }
  for (let k = 0; k < 20; k++) {
    await page.mouse.move(box.x + box.width * 0.6, cy);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, cy, { steps: 3 });
    await page.mouse.up();
    await frame();
  }
  for (let k = 0; k < 40; k++) {
    await page.mouse.wheel(0, 120);
    await frame();
  }
  for (let k = 0; k < 20; k++) {
    await page.mouse.move(box.x + box.width * 0.3, cy);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, cy, { steps: 3 });
    await page.mouse.up();
    await frame();
  }
  const s = await page.evaluate(() => (window as unknown as ProbeWindow).poolscopeProbe.stats());
  const n = s.frameCount - before;
  // The ring holds the latest frames; take the ones drawn during the script.
  const ring = s.frames,
    size = ring.length,
    out: number[] = [];
  for (let k = s.frameCount - n; k < s.frameCount; k++) out.push(ring[k % size]);
  return out;
}

async function measure(size: number, dir: string): Promise<Sample> {
  const file = join(dir, `synthetic-${size}.html`);
  if (!existsSync(file)) await writeChunks(file, htmlReport(syntheticTrace(size), []));
  const htmlMB = readFileSync(file).length / 2 ** 20;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(file).href, { timeout: 120000 });
    await page.waitForFunction(() => performance.getEntriesByName('poolscope:first-frame').length > 0, undefined, { timeout: 120000 });
    const firstFrameMs = await page.evaluate(() => performance.getEntriesByName('poolscope:first-frame')[0].startTime);
    const frames = await scriptedZoomPan(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number; embedderHeapUsedSize?: number };
    const heapMB = (heap.usedSize + (heap.backingStorageSize ?? 0) + (heap.embedderHeapUsedSize ?? 0)) / 2 ** 20;
    const pid = (browser as unknown as { process?: () => { pid?: number } }).process?.()?.pid;
    return { firstFrameMs, frames, heapMB, rendererMB: rendererRssMB(pid ?? findBrowserPid()), htmlMB };
  } finally {
    await browser.close();
  }
}

/** The newest chromium browser process (the one without --type), when playwright does not say. */
function findBrowserPid(): number | undefined {
  const out = execFileSync('ps', ['-eo', 'pid,etimes,args', '--sort=etimes'], { encoding: 'utf8' });
  const row = out.split('\n').find((l) => /chromium/.test(l) && !/--type=/.test(l) && /--headless/.test(l));
  return row ? Number(row.trim().split(/\s+/)[0]) : undefined;
}

const loadAtStart = loadavg()[0];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-bench-'));
  const rows: { size: number; first: number; med: number; p95: number; heap: number; rss: number; html: number }[] = [];
  try {
    for (const size of SIZES) {
      const samples: Sample[] = [];
      for (let r = 0; r < RUNS; r++) samples.push(await measure(size, dir));
      const row = {
        size,
        first: median(samples.map((s) => s.firstFrameMs)),
        med: median(samples.map((s) => median(s.frames))),
        p95: median(samples.map((s) => quantile(s.frames, 0.95))),
        heap: median(samples.map((s) => s.heapMB)),
        rss: median(samples.map((s) => s.rendererMB)),
        html: samples[0].htmlMB,
      };
      rows.push(row);
      console.log(
        `${size} spans: first frame ${row.first.toFixed(0)} ms, frame median ${row.med.toFixed(2)} ms, p95 ${row.p95.toFixed(2)} ms, heap ${row.heap.toFixed(0)} MB, renderer RSS ${row.rss.toFixed(0)} MB, page ${row.html.toFixed(1)} MB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  write(rows);
}

function write(rows: { size: number; first: number; med: number; p95: number; heap: number; rss: number; html: number }[]): void {
  const empty = rows.find((r) => r.size === 0);
  const base = rows.find((r) => r.size > 0) ?? rows[0];
  const cpu = cpus();
  const chromiumVersion = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const target = (n: number) => (n >= 1e6 ? { first: 3000, frame: 33, mem: 300 } : n >= 1e5 ? { first: 1000, frame: 16, mem: Infinity } : undefined);
  const verdict = (v: number, lim: number | undefined) => (lim === undefined || lim === Infinity ? '' : v < lim ? ' ✓' : ' ✗');
  const lines = [
    HEADING,
    '',
    `Machine: ${cpu[0]?.model.trim()} (${cpu.length} cores), ${chromiumVersion}, headless, 1600×900 at devicePixelRatio 1. Date: ${new Date().toISOString().slice(0, 10)}. Load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end: other work on the machine inflates these figures.`,
    `Synthetic traces (bench/webview/synthetic.ts): 16 workers, one result callback per task, a Main wait every 4096 jobs; loaded as the standalone page (\`renderHtmlReport\`: span columns as typed arrays, gzipped together, base64).`,
    `Median of ${RUNS} runs. "First frame": navigation start to the first complete frame (HTML parse, JSON parse, gunzip and column decode, lane index, LOD bins, counters, first draw).`,
    '"Frame": the view\'s work per frame (canvas, axis, brush) over a scripted zoom-in (40 wheel steps), 20 drag pans, zoom-out (40) and 20 more pans.',
    '"Heap": JS heap plus array-buffer backing stores after GC; "renderer RSS": resident memory of the page\'s renderer process, and what the trace adds to the empty page\'s (0 spans, same run). Time ratios are against the 10k trace of the same run.',
    '',
    '| spans | first frame | frame median | frame p95 | heap | renderer RSS | RSS over empty page | page size | first frame vs 10k | frame median vs 10k |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => {
      const t = target(r.size);
      const over = empty ? `${(r.rss - empty.rss).toFixed(0)} MB${verdict(r.rss - empty.rss, t?.mem)}` : '';
      return `| ${r.size.toLocaleString('en-US')} | ${r.first.toFixed(0)} ms${verdict(r.first, t?.first)} | ${r.med.toFixed(2)} ms${verdict(r.med, t?.frame)} | ${r.p95.toFixed(2)} ms | ${r.heap.toFixed(0)} MB${verdict(r.heap, t?.mem)} | ${r.rss.toFixed(0)} MB${verdict(r.rss, t?.mem)} | ${over} | ${r.html.toFixed(1)} MB | ${(r.first / base.first).toFixed(1)}× | ${(r.med / base.med).toFixed(1)}× |`;
    }),
    '',
    'Targets: 100k first frame < 1 s and frames < 16 ms median; 1M first frame < 3 s, frames < 33 ms median, memory < 300 MB (✓ met, ✗ missed).',
    '',
  ];
  const old = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '# Benchmark results\n\n';
  // Replace only this section: from its heading to the next "## " heading (another bench's section).
  const start = old.indexOf(HEADING);
  let next: string;
  if (start < 0) next = `${old.trimEnd()}\n\n${lines.join('\n')}`;
  else {
    const after = old.indexOf('\n## ', start + HEADING.length);
    next = old.slice(0, start) + lines.join('\n') + (after < 0 ? '' : old.slice(after));
  }
  writeFileSync(RESULTS, next.endsWith('\n') ? next : `${next}\n`);
  console.log(`wrote ${RESULTS}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
