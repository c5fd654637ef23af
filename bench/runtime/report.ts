// Turns the rounds' measures into the "## Runtime (worker pool)" section of bench/RESULTS.md:
// medians, ratios to the bare echo and to the best peer, and the issue's targets.
import type { Measures, Sizes } from './scenarios';
import { machine, median } from '../results';
import { libraries, type Library } from './libraries';

const heading = '## Runtime (worker pool)';

/** One counted round of one library, and the share of the machine other processes took meanwhile. */
export interface Sample {
  m: Measures;
  others: number;
}

export interface Outcome {
  samples: Map<string, Sample[]>;
  failures: Map<string, string[]>;
  quiet: { threshold: number; waitMs: number; retryAbove: number; attempts: number };
  rounds: number;
  sizes: Sizes;
  date: Date;
}

type Metric = keyof Measures;
const higherIsBetter: Record<Metric, boolean> = { tasksPerSec: true, p50Us: false, p99Us: false, busyShare: true };

const n = (x: number) => x.toLocaleString('en-US');
const fmt: Record<Metric, (v: number) => string> = {
  tasksPerSec: (v) => `${(v / 1000).toFixed(1)}k`,
  p50Us: (v) => `${v.toFixed(1)} µs`,
  p99Us: (v) => `${v.toFixed(1)} µs`,
  busyShare: (v) => `${(v * 100).toFixed(1)}%`,
};
const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
const ratio = (v: number, ref: number | undefined) => (ref === undefined ? '–' : `${(v / ref).toFixed(2)}×`);

class Summary {
  constructor(private readonly o: Outcome) {}

  measured(): Library[] {
    return libraries.filter((l) => this.o.samples.get(l.id)?.length);
  }

  median(id: string, m: Metric): number | undefined {
    const xs = this.o.samples.get(id);
    return xs?.length ? median(xs.map((x) => x.m[m])) : undefined;
  }

  range(id: string, m: Metric): string {
    const xs = this.o.samples.get(id)!.map((x) => x.m[m]);
    return xs.length > 1 ? `${fmt[m](Math.min(...xs))} – ${fmt[m](Math.max(...xs))}` : '';
  }

  bestPeer(m: Metric): Library | undefined {
    const peers = this.measured().filter((l) => l.role === 'peer');
    const better = (a: Library, b: Library) => (this.median(a.id, m)! > this.median(b.id, m)!) === higherIsBetter[m];
    return peers.reduce<Library | undefined>((best, l) => (!best || better(l, best) ? l : best), undefined);
  }

  /** One table: per library the median, its spread over the rounds and its ratios, per metric. */
  table(metrics: Metric[], titles: Record<string, string>): string {
    const cols: string[] = ['library'];
    for (const m of metrics) {
      const peer = this.bestPeer(m);
      cols.push(`${titles[m]} (median)`, 'range over rounds', `× bare`, `× best peer${peer ? ` (${peer.label})` : ''}`);
    }
    const rows = this.measured().map((l) => {
      const cells = [l.role === 'ours' ? `**${l.label}**` : l.label];
      for (const m of metrics) {
        const v = this.median(l.id, m)!;
        const peer = this.bestPeer(m);
        cells.push(fmt[m](v), this.range(l.id, m), ratio(v, this.median('bare', m)), ratio(v, peer && this.median(peer.id, m)));
      }
      return `| ${cells.join(' | ')} |`;
    });
    return [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows].join('\n');
  }

  /** How many rounds counted per library and how disturbed they were. */
  rounds(): string {
    return [
      '| library | rounds counted | rounds failed | other processes\' share of the machine during its rounds (median, max) |',
      '|---|---|---|---|',
      ...libraries
        .filter((l) => this.o.samples.has(l.id) || this.o.failures.has(l.id))
        .map((l) => {
          const others = (this.o.samples.get(l.id) ?? []).map((x) => x.others);
          const share = others.length ? `${pct(median(others))}, ${pct(Math.max(...others))}` : '–';
          return `| ${l.label} | ${others.length} | ${this.o.failures.get(l.id)?.length ?? 0} | ${share} |`;
        }),
    ].join('\n');
  }

  targets(): string {
    const on = (m: Metric) => this.median('poolscope', m);
    const ref = (id: string | undefined, m: Metric) => (id === undefined ? undefined : this.median(id, m));
    const peerRate = ref(this.bestPeer('tasksPerSec')?.id, 'tasksPerSec');
    const shareOff = this.median('poolscope-notrace', 'busyShare');
    const shareOn = on('busyShare');
    // Tracing cost: how much longer the busy scenario takes with tracing than without.
    const traceCost = shareOn !== undefined && shareOff !== undefined ? shareOff / shareOn - 1 : undefined;
    const rows: [string, number | undefined, (v: number) => string, (v: number) => boolean][] = [
      ['(a) ≥ 150k tasks/s', on('tasksPerSec'), fmt.tasksPerSec, (v) => v >= 150_000],
      ['(a) ≥ 2× the best peer', div(on('tasksPerSec'), peerRate), (v) => `${v.toFixed(2)}×`, (v) => v >= 2],
      ['(b) p50 ≤ 1.2× bare', div(on('p50Us'), ref('bare', 'p50Us')), (v) => `${v.toFixed(2)}×`, (v) => v <= 1.2],
      ['(b) p99 ≤ 2× bare', div(on('p99Us'), ref('bare', 'p99Us')), (v) => `${v.toFixed(2)}×`, (v) => v <= 2],
      ['(c) ≥ 85% of the 2-core ideal', shareOn, fmt.busyShare, (v) => v >= 0.85],
      ['tracing costs ≤ 10% on (c)', traceCost, (v) => `${(v * 100).toFixed(1)}%`, (v) => v <= 0.1],
    ];
    return [
      '| target (poolscope, tracing on) | measured | result |',
      '|---|---|---|',
      ...rows.map(([t, v, f, ok]) => `| ${t} | ${v === undefined ? 'not measured' : f(v)} | ${v === undefined ? '–' : ok(v) ? 'pass' : '**FAIL**'} |`),
    ].join('\n');
  }
}

function div(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a / b;
}

export function renderSection(o: Outcome): string {
  const s = new Summary(o);
  const { sizes } = o;
  const idealMs = (sizes.busy * sizes.busyUs) / sizes.workers / 1000;
  const failures = [...o.failures].flatMap(([id, errs]) => errs.map((e) => `- ${id}: ${e}`));
  return [
    heading,
    '',
    `Run ${o.date.toISOString().replace(/\.\d+Z$/, 'Z')} by \`npm run bench:runtime\` on ${machine()}.`,
    `Each library runs in a child process of its own per round, ${sizes.workers} workers, ${o.rounds} rounds with the`,
    'libraries in a rotated order each round; figures are medians over the rounds. Peers are the latest',
    'installed piscina, tinypool, workerpool and poolifier; "bare" is two raw Workers echoing postMessage.',
    'A "×" column is the row\'s median over the reference\'s (for round trips lower is better). poolscope is',
    'timed inside its `main` thread, the others in their process\'s main thread; start-up is never timed.',
    `The machine is shared with other work (see "Rounds" below): before each round the driver waits up to ${o.quiet.waitMs / 1000} s`,
    `for other processes to fall under ${pct(o.quiet.threshold)} of it, and a round they took more than ${pct(o.quiet.retryAbove)} of runs again (up to`,
    `${o.quiet.attempts} attempts while time allows; the least disturbed counts).`,
    '',
    `### (a) ${n(sizes.burst)} no-op tasks issued at once`,
    '',
    s.table(['tasksPerSec'], { tasksPerSec: 'tasks/s' }),
    '',
    `### (b) ${n(sizes.sequential)} sequential awaited no-op tasks, round trip`,
    '',
    s.table(['p50Us', 'p99Us'], { p50Us: 'p50', p99Us: 'p99' }),
    '',
    `### (c) ${n(sizes.busy)} tasks of ${sizes.busyUs} µs busy work, share of the ${sizes.workers}-core ideal (${n(idealMs)} ms)`,
    '',
    s.table(['busyShare'], { busyShare: 'share of ideal' }),
    '',
    '### Targets',
    '',
    s.targets(),
    '',
    '### Rounds',
    '',
    s.rounds(),
    ...(failures.length ? ['', '### Failed runs', '', ...failures] : []),
    '',
  ].join('\n');
}
