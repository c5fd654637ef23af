// Turns the rounds' measures into the "## Runtime (worker pool)" section of bench/RESULTS.md:
// medians, ratios to the bare echo and to the best peer of the same kind (threads, processes),
// and the issue's targets.
import type { Measures, Sizes } from './scenarios';
import { machine, median } from '../results';
import { kinds, libraries, type Kind, type Library } from './libraries';

const heading = '## Runtime (worker pool)';

/** One counted round of one library, the share of the machine other processes took meanwhile,
 * and the 1-minute load average as it started. */
export interface Sample {
  m: Measures;
  others: number;
  load: number;
}

export interface Outcome {
  samples: Map<string, Sample[]>;
  failures: Map<string, string[]>;
  quiet: { threshold: number; waitMs: number; retryAbove: number; attempts: number };
  rounds: number;
  sizes: Sizes;
  date: Date;
  /** 1-minute load average when the bench started and when it ended */
  loadAtStart: number;
  loadAtEnd: number;
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
const times = (v: number) => `${v.toFixed(2)}×`;
const ratio = (v: number, ref: number | undefined) => (ref === undefined ? '–' : times(v / ref));
const kindTitle: Record<Kind, string> = { thread: 'Threads', process: 'Processes' };

/** A target: what it says, the measured value (undefined: not measured), how to show it, whether it is met. */
type Target = [string, number | undefined, (v: number) => string, (v: number) => boolean];

class Summary {
  constructor(private readonly o: Outcome) {}

  measured(kind: Kind): Library[] {
    return libraries.filter((l) => l.kind === kind && this.o.samples.get(l.id)?.length);
  }

  median(id: string | undefined, m: Metric): number | undefined {
    const xs = id === undefined ? undefined : this.o.samples.get(id);
    return xs?.length ? median(xs.map((x) => x.m[m])) : undefined;
  }

  range(id: string, m: Metric): string {
    const xs = this.o.samples.get(id)!.map((x) => x.m[m]);
    return xs.length > 1 ? `${fmt[m](Math.min(...xs))} – ${fmt[m](Math.max(...xs))}` : '';
  }

  floor(kind: Kind): Library {
    return libraries.find((l) => l.kind === kind && l.role === 'floor')!;
  }

  ours(kind: Kind, traced: boolean): Library {
    return libraries.find((l) => l.kind === kind && l.role === 'ours' && l.traced === traced)!;
  }

  bestPeer(kind: Kind, m: Metric): Library | undefined {
    const peers = this.measured(kind).filter((l) => l.role === 'peer');
    const better = (a: Library, b: Library) => this.median(a.id, m)! > this.median(b.id, m)! === higherIsBetter[m];
    return peers.reduce<Library | undefined>((best, l) => (!best || better(l, best) ? l : best), undefined);
  }

  /** One table for one kind: per library the median, its spread over the rounds and its ratios, per metric. */
  table(kind: Kind, metrics: Metric[], titles: Record<string, string>): string {
    const libs = this.measured(kind);
    if (!libs.length) return `${kindTitle[kind]}: not measured.`;
    const cols: string[] = [kindTitle[kind].toLowerCase()];
    for (const m of metrics) {
      const peer = this.bestPeer(kind, m);
      cols.push(`${titles[m]} (median)`, 'range over rounds', `× bare`, `× best peer${peer ? ` (${peer.label})` : ''}`);
    }
    const bare = this.floor(kind).id;
    const rows = libs.map((l) => {
      const cells = [l.role === 'ours' ? `**${l.label}**` : l.label];
      for (const m of metrics) {
        const v = this.median(l.id, m)!;
        cells.push(fmt[m](v), this.range(l.id, m), ratio(v, this.median(bare, m)), ratio(v, this.median(this.bestPeer(kind, m)?.id, m)));
      }
      return `| ${cells.join(' | ')} |`;
    });
    return [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows].join('\n');
  }

  /** Both kinds' tables for the metrics of one scenario. */
  tables(metrics: Metric[], titles: Record<string, string>): string {
    return kinds.map((k) => this.table(k, metrics, titles)).join('\n\n');
  }

  /** How many rounds counted per library and how disturbed they were. */
  rounds(): string {
    return [
      "| library | rounds counted | rounds failed | other processes' share of the machine during its rounds (median, max) | load average (1 min) as its rounds started (median, max) |",
      '|---|---|---|---|---|',
      ...libraries
        .filter((l) => this.o.samples.has(l.id) || this.o.failures.has(l.id))
        .map((l) => {
          const xs = this.o.samples.get(l.id) ?? [];
          const spread = (f: (v: number) => string, vs: number[]) => (vs.length ? `${f(median(vs))}, ${f(Math.max(...vs))}` : '–');
          const others = spread(
            pct,
            xs.map((x) => x.others),
          );
          const load = spread(
            (v) => v.toFixed(1),
            xs.map((x) => x.load),
          );
          return `| ${l.label} | ${xs.length} | ${this.o.failures.get(l.id)?.length ?? 0} | ${others} | ${load} |`;
        }),
    ].join('\n');
  }

  /** ThreadPool's targets: at least the bare echo and the best peer everywhere, tracing on. */
  threadTargets(): Target[] {
    const on = (m: Metric) => this.median(this.ours('thread', true).id, m);
    const off = (m: Metric) => this.median(this.ours('thread', false).id, m);
    const bare = (m: Metric) => this.median(this.floor('thread').id, m);
    const peer = (m: Metric) => this.median(this.bestPeer('thread', m)?.id, m);
    const shareOn = on('busyShare');
    const shareOff = off('busyShare');
    // Tracing cost: how much longer the busy scenario takes with tracing than without.
    const traceCost = shareOn !== undefined && shareOff !== undefined ? shareOff / shareOn - 1 : undefined;
    return [
      ['(a) ≥ 2× the best peer', div(on('tasksPerSec'), peer('tasksPerSec')), times, (v) => v >= 2],
      ['(a) ≥ the bare echo', div(on('tasksPerSec'), bare('tasksPerSec')), times, (v) => v >= 1],
      ['(a) ≥ 0.8× tracing off', div(on('tasksPerSec'), off('tasksPerSec')), times, (v) => v >= 0.8],
      ['(b) p50 ≤ 1.2× bare', div(on('p50Us'), bare('p50Us')), times, (v) => v <= 1.2],
      ['(b) p50 ≤ the best peer', div(on('p50Us'), peer('p50Us')), times, (v) => v <= 1],
      ['(b) p99 ≤ 2× bare', div(on('p99Us'), bare('p99Us')), times, (v) => v <= 2],
      ['(b) p99 ≤ the best peer', div(on('p99Us'), peer('p99Us')), times, (v) => v <= 1],
      ['(c) ≥ 85% of the 2-core ideal', shareOn, fmt.busyShare, (v) => v >= 0.85],
      ['tracing costs ≤ 10% on (c)', traceCost, (v) => `${(v * 100).toFixed(1)}%`, (v) => v <= 0.1],
    ];
  }

  /** Pool's targets, tracing on. */
  processTargets(): Target[] {
    const on = (m: Metric) => this.median(this.ours('process', true).id, m);
    const bare = (m: Metric) => this.median(this.floor('process').id, m);
    const peer = (m: Metric) => this.median(this.bestPeer('process', m)?.id, m);
    return [
      ['(a) ≥ 2× the best peer', div(on('tasksPerSec'), peer('tasksPerSec')), times, (v) => v >= 2],
      ['(b) p50 ≤ 1.2× bare', div(on('p50Us'), bare('p50Us')), times, (v) => v <= 1.2],
      ['(b) p50 ≤ the best peer', div(on('p50Us'), peer('p50Us')), times, (v) => v <= 1],
      ['(c) ≥ 85% of the 2-core ideal', on('busyShare'), fmt.busyShare, (v) => v >= 0.85],
    ];
  }

  targets(who: string, rows: Target[]): string {
    return [
      `| target (${who}, tracing on) | measured | result |`,
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
    `Load average (1 min) ${o.loadAtStart.toFixed(1)} as the bench started and ${o.loadAtEnd.toFixed(1)} as it ended (per library below, under "Rounds").`,
    `Each library runs in a child process of its own per round, ${sizes.workers} workers, ${o.rounds} rounds with the`,
    'libraries in a rotated order each round; figures are medians over the rounds. Thread pools and process',
    'pools are compared within their kind. Thread peers are the latest installed piscina, tinypool, workerpool',
    'and poolifier, and "bare" is two raw Workers echoing postMessage; process peers are workerpool with',
    "`workerType: 'process'` and poolifier's FixedClusterPool, and \"bare\" is two forked children echoing",
    'over an IPC channel with advanced serialization. A "×" column is the row\'s median over the reference\'s',
    '(for round trips lower is better). poolscope is timed inside its `main` thread, the others in their',
    "process's main thread; start-up is never timed. poolscope runs its users' code (main, the pool's",
    'threads and processes) at nice +10 below its host, so the peers run at nice +10 too.',
    `The machine is shared with other work (see "Rounds" below): before each round the driver waits up to ${o.quiet.waitMs / 1000} s`,
    `for other processes to fall under ${pct(o.quiet.threshold)} of it, and a round they took more than ${pct(o.quiet.retryAbove)} of runs again (up to`,
    `${o.quiet.attempts} attempts while time allows; the least disturbed counts).`,
    '',
    `### (a) ${n(sizes.burst)} no-op tasks issued at once`,
    '',
    s.tables(['tasksPerSec'], { tasksPerSec: 'tasks/s' }),
    '',
    `### (b) ${n(sizes.sequential)} sequential awaited no-op tasks, round trip`,
    '',
    s.tables(['p50Us', 'p99Us'], { p50Us: 'p50', p99Us: 'p99' }),
    '',
    `### (c) ${n(sizes.busy)} tasks of ${sizes.busyUs} µs busy work, share of the ${sizes.workers}-core ideal (${n(idealMs)} ms)`,
    '',
    s.tables(['busyShare'], { busyShare: 'share of ideal' }),
    '',
    '### Targets',
    '',
    s.targets('ThreadPool', s.threadTargets()),
    '',
    s.targets('Pool', s.processTargets()),
    '',
    '### Rounds',
    '',
    s.rounds(),
    ...(failures.length ? ['', '### Failed runs', '', ...failures] : []),
    '',
  ].join('\n');
}
