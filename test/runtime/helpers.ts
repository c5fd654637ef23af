// What the conformance tests share: running a fixture through the built host API, and
// reading the resulting trace the way a user reads the swimlanes (lanes, spans, printed
// lines, findings).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding } from '../../src/analysis';
import type { RunOptions, RunResult } from '../../src/runtime/host/run';
import type { Span } from '../../src/trace/model';
import type { TraceStore } from '../../src/trace/store';
import { scratchRoot } from './fixtures/harness';
import type * as HostApi from './host';
import { allSpans } from '../storeSpans';

export const ROOT = resolve(__dirname, '../..');
export const FIXTURES = resolve(__dirname, 'fixtures');
export const EXAMPLES = resolve(ROOT, 'examples');

/**
 * Runs the built CLI. One that hangs is killed after HANG_MS and reported as r.error: the limit
 * tells a hang from an end, not speed.
 */
/**
 * How long a run may take before a test calls it a hang. It only turns a hang into a failure.
 * It is generous because user code runs niced below the host (record/threadSetup.ts), and a
 * child process inherits that: beside four busy loops a process pool's child takes seconds to
 * start, and a fixture that replaces its workers a dozen times took over a minute.
 */
export const HANG_MS = 240_000;

export function cli(args: string[]) {
  return spawnSync(process.execPath, [resolve(ROOT, 'dist/cli.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: HANG_MS, maxBuffer: 256 * 1024 * 1024 });
}

let hostModule: Promise<typeof HostApi> | undefined;

/** The host API as built into dist/ by `npm run build`. */
export function host(): Promise<typeof HostApi> {
  hostModule ??= import(pathToFileURL(resolve(ROOT, 'dist/test-host.mjs')).href);
  return hostModule;
}

export interface Line {
  lane: string;
  text: string;
  ts: number;
  stream: 'stdout' | 'stderr';
}

export interface Run extends RunResult {
  file: string;
  findings: Finding[];
  spans: Span[];
  lines: Line[];
  laneOf(span: Span): string;
}

export interface TestRunOptions extends RunOptions {
  /** Stop is pressed once this holds of the trace so far (looked at every few ms: a gate, not a delay). */
  stopWhen?: (store: TraceStore) => boolean;
}

export async function runFile(file: string, { stopWhen, ...opts }: TestRunOptions = {}): Promise<Run> {
  const { startRun, analyze } = await host();
  const handle = startRun(file, { workers: 2, timeoutMs: HANG_MS, ...opts });
  const gate = stopWhen && setInterval(() => stopWhen(handle.store) && void handle.stop(), 10);
  const result = await handle.done;
  clearInterval(gate);
  // The run's threads are gone; so can be the gates and ticket boxes its fixture made.
  rmSync(scratchRoot(), { recursive: true, force: true });
  const { store } = result;
  const name = (lane: number) => store.laneById(lane)?.name ?? `lane ${lane}`;
  return {
    ...result,
    file,
    findings: result.outcome === 'bad-input' ? [] : analyze(store),
    spans: allSpans(store),
    lines: store.logs.map((l) => ({ lane: name(l.lane), text: l.text, ts: l.ts, stream: l.stream })),
    laneOf: (s) => name(s.lane),
  };
}

export function runFixture(name: string, opts?: TestRunOptions): Promise<Run> {
  return runFile(resolve(FIXTURES, name), opts);
}

const exampleRuns = new Map<string, Promise<Run>>();

/** Each example runs once per mocha process; the lesson tests and the trace-format tests share it. */
export function runExample(name: string): Promise<Run> {
  let run = exampleRuns.get(name);
  if (!run) exampleRuns.set(name, (run = runFile(resolve(EXAMPLES, name))));
  return run;
}

/** Fails with the fixture's own message if its check `id` failed, or if it never got there. */
export function assertCheck(run: Run, id: string): void {
  const failure = run.lines.find((l) => l.text.startsWith(`FAIL ${id}: `));
  if (failure) assert.fail(`${failure.text}`);
  const passed = run.lines.some((l) => l.text === `PASS ${id}`);
  assert.ok(passed, `check ${id} never completed: the run ended with outcome '${run.outcome}'${run.error ? `: ${run.error.message}` : ''}${openSpans(run)}`);
}

/** What was still going on when a run ended early: the spans that never ended, with their lines. */
function openSpans(run: Run): string {
  const open = run.spans.filter((s) => s.status === 'running');
  if (open.length === 0) return '';
  return `; still running at the end: ${open.map((s) => `${run.laneOf(s)} ${s.kind} ${s.name}${s.site ? ` at line ${s.site.line}` : ''}`).join(', ')}`;
}

/** When check `id` began and ended, on main's clock. */
export function checkWindow(run: Run, id: string): { begin: number; end: number } {
  const begin = run.lines.find((l) => l.text === `BEGIN ${id}`);
  const end = run.lines.find((l) => l.text === `PASS ${id}` || l.text.startsWith(`FAIL ${id}: `));
  assert.ok(begin && end, `check ${id} has no BEGIN/PASS lines`);
  return { begin: begin.ts, end: end.ts };
}

/**
 * Spans that belong to check `id`: those of jobs submitted while it ran, and the others that
 * started meanwhile. (A job's submit time is on main's clock, like the check's lines.)
 */
export function spansOfCheck(run: Run, id: string, filter: Partial<Pick<Span, 'kind' | 'name' | 'status'>> & { lane?: string } = {}): Span[] {
  const { begin, end } = checkWindow(run, id);
  const at = (s: Span) => run.store.jobs.get(s.job)?.submitted ?? s.start;
  return run.spans.filter(
    (s) =>
      at(s) >= begin &&
      at(s) <= end &&
      (filter.kind === undefined || s.kind === filter.kind) &&
      (filter.name === undefined || s.name === filter.name) &&
      (filter.status === undefined || s.status === filter.status) &&
      (filter.lane === undefined || run.laneOf(s) === filter.lane),
  );
}

export function byStart(spans: Span[]): Span[] {
  return [...spans].sort((a, b) => a.start - b.start);
}

export function findings(run: Run, rule: Finding['rule']): Finding[] {
  return run.findings.filter((f) => f.rule === rule);
}

export function ms(us: number): number {
  return us / 1000;
}

/** No two spans of the list overlap in time: they ran one at a time. */
export function assertOneAtATime(spans: Span[]): void {
  const sorted = byStart(spans);
  for (let i = 1; i < sorted.length; i++) {
    assert.ok(
      sorted[i].start >= sorted[i - 1].end,
      `span ${sorted[i].name} started at ${ms(sorted[i].start)} ms before ${sorted[i - 1].name} ended at ${ms(sorted[i - 1].end)} ms`,
    );
  }
}

/** The line of `text` (1-based) in a file, for asserting source locations without hard-coding them. */
export function lineOf(source: string, text: string): number {
  const i = source.split('\n').findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `no line containing ${JSON.stringify(text)}`);
  return i + 1;
}

/** A task cancelled before it started is drawn as a cancelled task of no length on a worker lane of its pool, after its queue time. */
export function assertCancelledTask(run: Run, job: number): void {
  const tasks = run.spans.filter((s) => s.kind === 'task' && s.job === job);
  assert.equal(tasks.length, 1, `job ${job} has ${tasks.length} task spans`);
  const [t] = tasks;
  assert.equal(t.status, 'cancelled', `job ${job}'s task is ${t.status}, not cancelled`);
  assert.equal(t.end, t.start, `job ${job}'s cancelled task ran`);
  assert.match(run.laneOf(t), /^Worker \d+$/);
  assert.ok(t.queued !== undefined && t.queued <= t.start, `job ${job}'s cancelled task shows no queue time`);
}

/** Every job made ready by its tasks' outcomes says when main took the last one in: after that task ended, and no later than the job became ready. */
export function assertResultTimes(run: Run): void {
  let checked = 0;
  for (const job of run.store.jobs.values()) {
    const tasks = run.spans.filter((s) => s.kind === 'task' && s.job === job.id);
    if (job.readyAt === undefined || tasks.length === 0 || tasks.some((t) => t.status !== 'ok' && t.status !== 'error')) continue;
    assert.ok(job.resultIn !== undefined, `job ${job.id} (${job.api}) became ready with no time its result came in`);
    assert.ok(
      job.resultIn >= Math.max(...tasks.map((t) => t.end)) && job.resultIn <= job.readyAt,
      `job ${job.id}: result in at ${job.resultIn}, outside its last task's end and its ready time`,
    );
    checked++;
  }
  assert.ok(checked > 0, 'no job was checked');
}
