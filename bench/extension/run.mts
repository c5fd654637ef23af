// `npm run bench:extension`: "Run in Pool" on bench/big/million.ts (1M no-op tasks) in a real
// VS Code (code-server, the newest build the suite knows) with the inspector open, in a fresh
// VS Code each round; the extension host's event-loop delay and memory growth as
// test/vscode/suite/bigRun.bench.ts measures them. Writes its section of bench/RESULTS.md.
// Expects `npm run build`. Run with tsx; .mts because it awaits at top level.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median, writeSection } from '../results';

const root = fileURLToPath(new URL('../../', import.meta.url));
const out = join(root, 'out', 'extension-big.json');
const ROUNDS = 3;

interface Round {
  tasks: number;
  notKept: number;
  outcome: string;
  runMs: number;
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  hostPeakGrowthMB: number;
  hostRetainedGrowthMB: number;
  rssPeakGrowthMB: number;
}

const loads: number[] = [];
const rounds: Round[] = [];
for (let k = 0; k < ROUNDS; k++) {
  rmSync(out, { force: true });
  loads.push(loadavg()[0]);
  const r = spawnSync(process.execPath, [join(root, 'test', 'vscode', 'runner', 'runInCodeServer.mjs'), '--vscode', 'newest', '--bench'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, POOLSCOPE_TEST_TIMEOUT_MS: String(30 * 60_000) },
  });
  if (r.status !== 0) throw new Error(`round ${k + 1}: the benchmark in VS Code failed (exit ${r.status})`);
  const round = JSON.parse(readFileSync(out, 'utf8')) as Round;
  console.log(`round ${k + 1}/${ROUNDS}:`, round);
  rounds.push(round);
}
loads.push(loadavg()[0]);

const f = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const col = (key: keyof Round, d = 0) => {
  const xs = rounds.map((r) => r[key] as number);
  return `${f(median(xs), d)} (${xs.map((x) => f(x, d)).join(', ')})`;
};
const ok = (pass: boolean) => (pass ? '✓' : '✗');
const section = [
  '## Extension host, a 1M-task run',
  '',
  `Run ${new Date().toISOString().slice(0, 19)}Z by \`npm run bench:extension\` on ${machine()}, in the newest VS Code the suite knows (code-server) driven by headless Chromium.`,
  `"Run in Pool" on \`bench/big/million.ts\` (${f(rounds[0].tasks)} no-op tasks issued at once on 2 workers) with the inspector open, each round in a fresh VS Code;`,
  `the default span budget (\`poolscope.keepSpans\`) kept the first tasks and counted ${f(rounds[0].notKept)} more per lane.`,
  `medians of ${ROUNDS} rounds (each round's figure in brackets). Load average (1 min) ${f(Math.min(...loads), 1)}-${f(Math.max(...loads), 1)}.`,
  "Host memory is the extension host isolate's heap and array buffers (the store, the inspector's copy, the analysis), sampled every 50 ms",
  "over its value before the run, after garbage collection. The user's main and pool threads run in the same process, so the process's RSS also",
  'holds their memory (the 1M pending results the program keeps): it is shown apart.',
  '',
  '| measure | figure | target |',
  '|---|---:|---|',
  `| run, wall time (ms) | ${col('runMs')} | |`,
  `| event-loop delay p50 (ms) | ${col('delayP50Ms', 1)} | |`,
  `| event-loop delay p99 (ms) | ${col('delayP99Ms', 1)} | < 50 ${ok(median(rounds.map((r) => r.delayP99Ms)) < 50)} |`,
  `| event-loop delay max (ms) | ${col('delayMaxMs', 1)} | |`,
  `| host memory, peak growth during the run (MB) | ${col('hostPeakGrowthMB')} | ≤ 150 ${ok(median(rounds.map((r) => r.hostPeakGrowthMB)) <= 150)} |`,
  `| host memory, kept after the run (MB) | ${col('hostRetainedGrowthMB')} | |`,
  `| process RSS, peak growth, user threads included (MB) | ${col('rssPeakGrowthMB')} | |`,
  '',
].join('\n');
writeSection(join(root, 'bench', 'RESULTS.md'), section);
console.log(section);
