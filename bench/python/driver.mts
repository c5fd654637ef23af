// `npm run bench:python [-- --quick] [--rounds N]`: what tracing costs a Python program. The same
// program (bench/python/workload.py) runs untraced (`python3 workload.py ...`) and traced
// (`poolscope run workload.py ...`, the built CLI) in each round, in alternating order, on each
// of the four pools, with tasks of 1 ms of work and with no-op tasks. The program times itself
// from its pool's creation to its end; the whole command's wall time is kept beside it. A full
// run writes its section of bench/RESULTS.md. Expects poolscope built (`npm run build`).
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machine, median, writeSection } from '../results';
import { othersShare, snapshot, waitForQuiet } from '../runtime/quiet';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workload = path.join(root, 'bench/python/workload.py');
const cli = path.join(root, 'dist/cli.mjs');
const python = process.env.POOLSCOPE_BENCH_PYTHON ?? 'python3';

const { values: flags } = parseArgs({ options: { quick: { type: 'boolean', default: false }, rounds: { type: 'string' } } });
// Nine rounds by default (about 13 minutes here), as bench/RESULTS.md's figures were measured: on a
// noisy 2-core machine a median of three moves too much from one bench run to the next to tell a few percent.
const rounds = Number(flags.rounds ?? (flags.quick ? 1 : 9));
const tasks = flags.quick ? 1_000 : 10_000;
if (!(rounds >= 1)) {
  console.error('usage: driver [--quick] [--rounds N>=1]');
  process.exit(2);
}

const KINDS = ['ThreadPool', 'ThreadPoolExecutor', 'Pool', 'ProcessPoolExecutor'] as const;
type Kind = (typeof KINDS)[number];
/** The issue's targets: traced time over untraced time, at most. */
const WORKLOADS = [
  { id: 'work', label: '1 ms of work', target: 1.1, pairs: 1 },
  // Three pairs a round: a no-op run takes a tenth of a second, and its time on a
  // ThreadPoolExecutor is bimodal (its submit's lock convoy, "where the time goes"), so a median
  // of few runs lands in one mode or the other from one bench run to the next.
  { id: 'noop', label: 'no-op', target: 2, pairs: 3 },
] as const;
type Workload = (typeof WORKLOADS)[number];
type Mode = 'untraced' | 'traced';

interface Sample {
  /** the program's own time, pool created to pool ended */
  programS: number;
  /** context switches of the program's own process meanwhile (workload.py's `switches`) */
  switches: number;
  /** the whole command, start to exit */
  commandS: number;
  /** share of the machine other processes took meanwhile */
  others: number;
}

function say(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error ?? r.stderr}`);
  return r.stdout.trim();
}

const version = say(python, ['-c', 'import platform; print(platform.python_implementation(), platform.python_version())']);
const loops = Number(say(python, [workload, 'calibrate']));

/** One run of the program; rejects unless it ran to its end (and, traced, recorded every task). */
function measure(kind: Kind, w: Workload, mode: Mode): Promise<Sample> {
  const args = [kind, String(tasks), String(w.id === 'work' ? loops : 0)];
  const [cmd, argv] = mode === 'untraced' ? [python, [workload, ...args]] : [process.execPath, [cli, 'run', workload, ...args, '--json']];
  return new Promise((resolve, reject) => {
    const cpu0 = snapshot();
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const commandS = (performance.now() - t0) / 1000;
      const others = othersShare(cpu0, snapshot());
      try {
        if (code !== 0) throw new Error(`exit ${code}: ${err.trim().split('\n').slice(-3).join(' / ')}`);
        let line: string | undefined;
        if (mode === 'untraced') line = out.split('\n').find((l) => l.startsWith('BENCH '));
        else {
          const report = JSON.parse(out) as { outcome: string; output: { text: string }[]; stats: { jobs: number } };
          if (report.outcome !== 'returned') throw new Error(`the traced run ended ${report.outcome}`);
          if (report.stats.jobs < tasks) throw new Error(`the trace holds ${report.stats.jobs} jobs of ${tasks}`);
          line = report.output.find((l) => l.text.startsWith('BENCH '))?.text;
        }
        const [seconds, switches] = line?.split(' ').slice(1).map(Number) ?? [];
        if (!(seconds >= 0 && switches >= 0)) throw new Error(`no BENCH line with a time and a count: ${line}`);
        resolve({ programS: seconds, switches, commandS, others });
      } catch (e) {
        reject(e);
      }
    });
  });
}

const samples = new Map<string, Sample[]>();
const failures: string[] = [];
const key = (kind: Kind, w: Workload, mode: Mode) => `${kind}/${w.id}/${mode}`;
const started = Date.now();

for (let r = 0; r < rounds; r++) {
  for (const w of WORKLOADS) {
    for (const [kind, pair] of KINDS.flatMap((k) => Array.from({ length: w.pairs }, (_, p) => [k, p] as const))) {
      // Alternate which goes first, so neither always runs on a machine the other just warmed.
      const modes: Mode[] = (r + pair + KINDS.indexOf(kind)) % 2 ? ['traced', 'untraced'] : ['untraced', 'traced'];
      for (const mode of modes) {
        await waitForQuiet(0.1, flags.quick ? 1_000 : 5_000);
        try {
          const s = await measure(kind, w, mode);
          samples.set(key(kind, w, mode), [...(samples.get(key(kind, w, mode)) ?? []), s]);
          console.error(`round ${r + 1}/${rounds} ${kind} ${w.label} ${mode}: ${s.programS.toFixed(3)} s in the program (${s.switches} context switches), ${s.commandS.toFixed(2)} s in all (other processes ${(s.others * 100).toFixed(0)}%)`);
        } catch (e) {
          failures.push(`round ${r + 1}, ${kind}, ${w.label}, ${mode}: ${(e as Error).message}`);
          console.error(`round ${r + 1}/${rounds} ${kind} ${w.label} ${mode}: FAILED ${(e as Error).message}`);
        }
      }
    }
  }
}
console.error(`bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);

const med = (k: string, f: (s: Sample) => number) => {
  const xs = samples.get(k);
  return xs?.length ? median(xs.map(f)) : undefined;
};
const secs = (v: number | undefined) => (v === undefined ? '–' : v < 1 ? `${(v * 1000).toFixed(0)} ms` : `${v.toFixed(2)} s`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a / b);
const times = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(2)}×`);
const count = (v: number | undefined) => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));

const rows = WORKLOADS.flatMap((w) =>
  KINDS.map((kind) => {
    const [u, t] = (['untraced', 'traced'] as const).map((m) => med(key(kind, w, m), (s) => s.programS));
    const [cu, ct] = (['untraced', 'traced'] as const).map((m) => med(key(kind, w, m), (s) => s.commandS));
    const [su, st] = (['untraced', 'traced'] as const).map((m) => med(key(kind, w, m), (s) => s.switches));
    const cost = ratio(t, u);
    const verdict = cost === undefined ? '–' : cost <= w.target ? 'pass' : '**FAIL**';
    const target = w.target < 2 ? `≤ ${Math.round((w.target - 1) * 100)}% (${times(w.target)})` : `≤ ${times(w.target)}`;
    return `| ${kind} | ${w.label} | ${secs(u)} | ${secs(t)} | ${times(cost)} | ${target} | ${verdict} | ${count(su)} | ${count(st)} | ${secs(cu)} | ${secs(ct)} | ${times(ratio(ct, cu))} |`;
  }),
);
const othersAll = [...samples.values()].flat().map((s) => s.others);
const section = [
  '## Python tracer (overhead)',
  '',
  `Run ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} by \`npm run bench:python\` on ${machine()}, ${version}.`,
  `The program (bench/python/workload.py) puts ${tasks.toLocaleString('en-US')} tasks on a pool of 2 workers (\`apply_async\` then \`get()\` each,`,
  `or \`submit\` then \`result()\` each) and times itself from the pool's creation to its end. "1 ms of work" is a counting`,
  `loop of ${loops.toLocaleString('en-US')} iterations, 1 ms of CPU on this machine (on a thread pool the GIL runs them one at a time).`,
  `Each round runs it untraced (\`${python} workload.py\`) and traced (\`poolscope run workload.py --json\`, every task recorded),`,
  `in alternating order; figures are medians of ${rounds} round${rounds > 1 ? 's' : ''} (no-op tasks: ${rounds * WORKLOADS[1].pairs} runs, ${WORKLOADS[1].pairs} pairs a round). "Whole command" adds start-up, the host's reading of the`,
  'records and the analysis. "Switches" are the context switches of the program\'s own process while it timed itself (its',
  'threads\', not its worker processes\'). On a thread pool most are hand-overs of the GIL; their count for the same program',
  'can differ a hundredfold from run to run, and the runs that make more take longer, traced or not ("where the time goes").',
  'The machine is shared with other work: before each run the driver waits up to 5 s for other',
  `processes to fall under 10% of it; they took ${othersAll.length ? `${(median(othersAll) * 100).toFixed(0)}% (median), up to ${(Math.max(...othersAll) * 100).toFixed(0)}%` : '–'} during the runs.`,
  '',
  '| pool | tasks | untraced | traced | traced ÷ untraced | target | result | switches untraced | traced | whole command untraced | traced | ratio |',
  '|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|',
  ...rows,
  ...(failures.length ? ['', '### Failed runs', '', ...failures.map((f) => `- ${f}`)] : []),
  '',
].join('\n');
console.log(section);
if (!flags.quick) {
  writeSection(path.join(root, 'bench/RESULTS.md'), section);
  console.error('wrote bench/RESULTS.md');
} else {
  console.error('quick run: bench/RESULTS.md left as it was');
}
