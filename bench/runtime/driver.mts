// `npm run bench:runtime [-- --quick] [--rounds N] [--libs a,b]`: builds the bench, runs every
// library in its own child process per round (never two at once), prints the tables and, for a
// full run, writes them into bench/RESULTS.md. Expects poolscope built (`npm run build`).
// Run with tsx (see package.json); .mts because it awaits at top level in a CommonJS package.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { cjsEntries, entries } from './bundle';
import { libraries, type Library } from './libraries';
import { fullSizes, poolKindVar, quickSizes, resultMarker, sizesVar, type Measures, type Sizes } from './scenarios';
import { renderSection, type Outcome } from './report';
import { writeSection } from '../results';
import { othersShare, snapshot, waitForQuiet } from './quiet';

const root = fileURLToPath(new URL('../../', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    libs: { type: 'string' },
  },
});
const sizes: Sizes = flags.quick ? quickSizes : fullSizes;
const rounds = Number(flags.rounds ?? (flags.quick ? 1 : 5));
const ids = flags.libs ? flags.libs.split(',') : libraries.map((l) => l.id);
const unknown = ids.filter((id) => !libraries.some((l) => l.id === id));
if (unknown.length || !(rounds >= 1)) {
  console.error(`usage: driver [--quick] [--rounds N>=1] [--libs ${libraries.map((l) => l.id).join(',')}]`);
  process.exit(2);
}
// The longest healthy round takes about 15 s; a hung one must not eat the bench's time.
const childTimeoutMs = 60_000;
/** Other processes may use `threshold` of the machine when a round starts (the driver waits at most
 * waitMs per round for that, budgetMs in all) and `retryAbove` during it (else the round runs
 * again, up to `attempts` times, until retryUntilMs into the bench), so the bench still ends in
 * about 8 minutes on a busy machine. */
const quiet = {
  threshold: 0.1,
  waitMs: flags.quick ? 3_000 : 10_000,
  budgetMs: flags.quick ? 10_000 : 60_000,
  retryAbove: 0.15,
  attempts: 3,
  retryUntilMs: flags.quick ? 30_000 : 240_000,
};

async function buildBench(): Promise<string> {
  const outdir = path.join(root, 'dist/bench/runtime');
  const build = (names: readonly string[], format: 'esm' | 'cjs') =>
    esbuild.build({
      entryPoints: Object.fromEntries(names.map((e) => [e, path.join(root, 'bench/runtime', `${e}.ts`)])),
      outdir,
      outExtension: { '.js': format === 'esm' ? '.mjs' : '.cjs' },
      bundle: true,
      format,
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
  await Promise.all([build(entries, 'esm'), build(cjsEntries, 'cjs')]);
  return outdir;
}

/**
 * poolscope runs its users' code (main, the pool's threads and processes) this many steps below
 * its own host (runtime/record/threadSetup.ts); the peers run entirely at that niceness too, so
 * that other processes on a shared machine weigh on every row alike.
 */
const USER_CODE_NICENESS = 10;

/** How a library's round starts: peers through the bench's child, poolscope as its users run it. */
function commandFor(lib: Library, childFile: string): string[] {
  if (lib.role !== 'ours') return ['nice', '-n', String(USER_CODE_NICENESS), process.execPath, childFile, lib.id];
  const cli = path.join(root, 'dist/cli.mjs');
  const tasks = path.join(root, 'bench/runtime/poolscope-tasks.ts');
  const journal = lib.journal ? ['--trace', path.join(os.tmpdir(), `poolscope-bench-${process.pid}.psrec`)] : [];
  return [process.execPath, cli, 'run', tasks, '--workers', String(sizes.workers), ...(lib.traced ? [] : ['--no-trace']), ...journal];
}

function runChild(lib: Library, [command, ...args]: string[]): Promise<Measures> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, [sizesVar]: JSON.stringify(sizes), [poolKindVar]: lib.kind },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), childTimeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.includes(resultMarker));
      if (line) return resolve(JSON.parse(line.slice(line.indexOf(resultMarker) + resultMarker.length)));
      const why = signal === 'SIGKILL' ? `timed out after ${childTimeoutMs / 1000} s` : `exit ${code ?? signal}, no result line`;
      const said = `${err}\n${out}`;
      const detail = said.match(/^.*(Error|error)\b.*$/m)?.[0] ?? said.trim().split('\n').slice(-3).join(' / ');
      reject(new Error(`${why}${detail ? `: ${detail.trim()}` : ''}`));
    });
  });
}

const brief = (m: Measures) =>
  `${(m.tasksPerSec / 1000).toFixed(1)}k tasks/s, p50 ${m.p50Us.toFixed(1)} µs, p99 ${m.p99Us.toFixed(1)} µs, ` + `busy ${(m.busyShare * 100).toFixed(1)}%`;

const childFile = path.join(await buildBench(), 'child.mjs');
const outcome: Outcome = { samples: new Map(), failures: new Map(), quiet, rounds, sizes, date: new Date(), loadAtStart: os.loadavg()[0], loadAtEnd: 0 };
const started = Date.now();
let quietWaited = 0;

/** One library's round. A round that other processes disturbed (more than quiet.retryAbove of the
 * machine) is run again, while the time budget lasts; the least disturbed attempt counts. */
async function measureRound(lib: Library): Promise<{ m: Measures; others: number; load: number; attempts: number }> {
  let best: { m: Measures; others: number; load: number } | undefined;
  for (let attempt = 1; ; attempt++) {
    const w0 = Date.now();
    await waitForQuiet(quiet.threshold, Math.min(quiet.waitMs, quiet.budgetMs - quietWaited));
    quietWaited += Date.now() - w0;
    const cpu0 = snapshot();
    const load = os.loadavg()[0];
    const m = await runChild(lib, commandFor(lib, childFile));
    const others = othersShare(cpu0, snapshot());
    if (!best || others < best.others) best = { m, others, load };
    const retry = others > quiet.retryAbove && attempt < quiet.attempts && Date.now() - started < quiet.retryUntilMs;
    if (!retry) return { ...best, attempts: attempt };
  }
}

for (let r = 0; r < rounds; r++) {
  // Rotate the order each round so no library always runs right after the same neighbour.
  const order = ids.map((_, i) => ids[(i + r) % ids.length]);
  for (const id of order) {
    const t0 = Date.now();
    try {
      const { m, others, load, attempts } = await measureRound(libraries.find((l) => l.id === id)!);
      outcome.samples.set(id, [...(outcome.samples.get(id) ?? []), { m, others, load }]);
      console.error(
        `round ${r + 1}/${rounds} ${id}: ${brief(m)} (${((Date.now() - t0) / 1000).toFixed(1)} s, ` +
          `other processes ${(others * 100).toFixed(0)}% of the machine, load ${load.toFixed(1)}${attempts > 1 ? `, best of ${attempts} attempts` : ''})`,
      );
    } catch (e) {
      const msg = (e as Error).message;
      outcome.failures.set(id, [...(outcome.failures.get(id) ?? []), `round ${r + 1}: ${msg}`]);
      console.error(`round ${r + 1}/${rounds} ${id}: FAILED ${msg}`);
    }
  }
}
console.error(`bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
fs.rmSync(path.join(os.tmpdir(), `poolscope-bench-${process.pid}.psrec`), { force: true });
outcome.loadAtEnd = os.loadavg()[0];

const section = renderSection(outcome);
console.log(section);
if (!flags.quick && !flags.libs) {
  writeSection(path.join(root, 'bench/RESULTS.md'), section);
  console.error('wrote bench/RESULTS.md');
} else {
  console.error('quick or partial run: bench/RESULTS.md left as it was');
}
