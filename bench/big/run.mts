// `npm run bench:big [-- --tasks N]`: the "big runs" figures for a real run of N (default 1M)
// no-op traced tasks: what the host's store keeps per event, the whole CLI's peak RSS with
// --trace and --html, export time and size per format, `poolscope view` of the JSON, and the
// HTML report's first frame in Chromium. Writes bench/BIG-RUNS.md. Expects `npm run build`.
// `-- --spill`: the 10M-task run kept on disk instead (bench/big/spill.ts), its own section.
// `-- --windows`: windows of a 1M-task journal as the inspector loads them (bench/big/windows.ts), its own section.
// Run with tsx (see package.json); .mts because it awaits at top level in a CommonJS package.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../test/browser/page';
import { writeSection } from '../results';
import { spillBench } from './spill';
import { windowsBench } from './windows';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: flags } = parseArgs({ options: { tasks: { type: 'string' }, spill: { type: 'boolean', default: false }, windows: { type: 'boolean', default: false } } });
if (flags.spill) {
  spillBench(root, Number(flags.tasks ?? 10_000_000));
  process.exit(0);
}
if (flags.windows) {
  windowsBench(root, Number(flags.tasks ?? 1_000_000));
  process.exit(0);
}
const tasks = Number(flags.tasks ?? 1_000_000);
const taskFile = join(root, 'bench', 'big', 'million.ts');
const dir = mkdtempSync(join(tmpdir(), 'poolscope-big-'));
const env = { ...process.env, TASKS: String(tasks) };
const MB = 2 ** 20;
const loadAtStart = loadavg()[0];

/** Runs node with the peak-RSS hook; returns its peak RSS (MiB), wall time and output. */
function measured(args: string[]): { rssMB: number; ms: number; stdout: string; status: number | null } {
  const rssFile = join(dir, 'maxrss');
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(root, 'bench', 'big', 'maxrss.mjs')).href, ...args], {
    cwd: root,
    env: { ...env, POOLSCOPE_MAXRSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 64 * MB,
  });
  const ms = performance.now() - t;
  if (r.status !== 0) console.error(r.stderr);
  return { rssMB: Number(readFileSync(rssFile, 'utf8')) / 1024, ms, stdout: r.stdout, status: r.status };
}

console.log(`big runs: ${tasks} tasks, files in ${dir}`);
// 1. The store, in a host of its own (the built runtime, as the CLI runs it), and each export from it.
const probe = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(root, 'bench', 'big', 'storeProbe.mts'), root, taskFile, dir], {
  cwd: root,
  env,
  encoding: 'utf8',
  maxBuffer: 64 * MB,
});
if (probe.status !== 0) throw new Error(`the store probe failed: ${probe.stderr}`);
const store = JSON.parse(probe.stdout.trim().split('\n').pop()!) as {
  outcome: string;
  runMs: number;
  records: number;
  tasks: number;
  spans: number;
  jobs: number;
  storeBytes: number;
  exports: Record<'json' | 'perfetto' | 'html', { ms: number; bytes: number }>;
};
console.log(store);

// 2. The whole CLI, with --trace and --html, as a user runs it.
const json = join(dir, 'cli.json'),
  html = join(dir, 'cli.html');
const cli = measured([join(root, 'dist', 'cli.mjs'), 'run', taskFile, '--workers', '2', '--trace', json, '--html', html]);
if (cli.status !== 0) throw new Error('the CLI run failed');
console.log('cli', cli.rssMB, cli.ms);
// 3. `poolscope view` of that JSON.
const view = measured([join(root, 'dist', 'cli.mjs'), 'view', json]);
if (view.status !== 0) throw new Error('view failed');
console.log('view', view.rssMB, view.ms);

// 4. The HTML report's first frame in Chromium: navigation start to the first complete frame.
const frames: number[] = [];
for (let k = 0; k < 3; k++) {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(html).href, { timeout: 300_000 });
    await page.waitForFunction(() => performance.getEntriesByName('poolscope:first-frame').length > 0, undefined, { timeout: 300_000, polling: 50 });
    frames.push(await page.evaluate(() => performance.getEntriesByName('poolscope:first-frame')[0].startTime));
  } finally {
    await browser.close();
  }
}
frames.sort((a, b) => a - b);
const firstFrame = frames[1];
console.log('first frame', frames);

const f = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const size = (b: number) => `${f(b / MB, 1)} MB (${f(b / store.tasks)} B/task)`;
const ok = (pass: boolean) => (pass ? '✓' : '✗');
const perRecord = store.storeBytes / store.records;
const cpu = cpus();
const chromiumVersion = execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const text = [
  '# Big runs',
  '',
  `Run ${new Date().toISOString().slice(0, 19)}Z by \`npm run bench:big\` on ${cpu[0]?.model.trim()}, ${cpu.length} cores, ${f(totalmem() / 2 ** 30)} GB, Node ${process.version}, ${chromiumVersion}.`,
  `Load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end: the machine is shared, so times move from run to run.`,
  `The program: \`bench/big/million.ts\`, ${f(tasks)} no-op \`applyAsync\` tasks issued at once on 2 workers, each result then awaited; traced.`,
  '',
  '| measure | figure | target |',
  '|---|---:|---|',
  `| host store: bytes kept per recorded event | ${f(perRecord, 1)} B (${f(store.storeBytes / MB, 1)} MB for ${f(store.records)} events, ${f(store.storeBytes / store.tasks)} B/task) | ≤ 40 B ${ok(perRecord <= 40)} |`,
  `| spans, jobs in the store | ${f(store.spans)}, ${f(store.jobs)} | |`,
  `| whole CLI peak RSS, run with \`--trace\` and \`--html\` | ${f(cli.rssMB)} MB (${f(cli.ms / 1000, 1)} s wall) | ≤ 700 MB ${ok(cli.rssMB <= 700)} |`,
  `| export, Chrome JSON | ${f(store.exports.json.ms / 1000, 1)} s, ${size(store.exports.json.bytes)} | streamed |`,
  `| export, Perfetto protobuf | ${f(store.exports.perfetto.ms / 1000, 1)} s, ${size(store.exports.perfetto.bytes)} | streamed |`,
  `| export, HTML report | ${f(store.exports.html.ms / 1000, 1)} s, ${size(store.exports.html.bytes)} | streamed |`,
  `| \`poolscope view\` of the JSON: peak RSS, wall time | ${f(view.rssMB)} MB, ${f(view.ms / 1000, 1)} s | |`,
  `| HTML report in Chromium: first frame (median of 3) | ${f(firstFrame)} ms (${frames.map((x) => f(x)).join(', ')}) | < 3000 ms ${ok(firstFrame < 3000)} |`,
  '',
  '"Recorded event": a record one of the run\'s threads wrote and the host took in (a task\'s submit, start and end,',
  'a job\'s readiness, a wait...: see src/trace/records.ts). "Store": the host\'s heap and array buffers kept after',
  'the run, over those before it, after garbage collection, in a host process of its own (bench/big/storeProbe.mts).',
  "Peak RSS: the whole CLI process, all of its threads (the user's main thread and its pending results included),",
  'from `process.resourceUsage().maxRSS` at exit. Export times are from that store to a file, one format at a time;',
  '"first frame" is navigation start to the inspector\'s first complete frame on the file the CLI wrote.',
  '',
].join('\n');
writeSection(join(root, 'bench', 'BIG-RUNS.md'), text);
console.log(text);
rmSync(dir, { recursive: true, force: true });
