// Reliability figures for RELIABILITY.md: how long Stop and a signal take to end a run, how long
// a main that throws right after asking for 256 threads takes to exit, and how much of the trace
// a crash keeps. Each is a median of several rounds on this machine; nothing here is asserted.
//   npm run bench:reliability
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FAULTS = join(ROOT, 'test', 'runtime', 'fixtures', 'faults');
const CLI = join(ROOT, 'dist', 'cli.mjs');
const ROUNDS = 5;
const { startRun } = await import(pathToFileURL(join(ROOT, 'dist', 'test-host.mjs')).href);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const scratch = mkdtempSync(join(tmpdir(), 'poolscope-reliability-'));

/** Stop pressed once the fixture printed `gate` (and, for main, once main is drawn running): ms until the run has ended. */
async function stopMs(file: string, gate: string): Promise<number> {
  const h = startRun(file, { workers: 2 });
  await new Promise<void>((r) => {
    const t = setInterval(() => {
      const store = h.store;
      if (!store.logs.some((l: { text: string }) => l.text === gate)) return;
      clearInterval(t);
      r();
    }, 5);
  });
  const t0 = performance.now();
  await h.stop();
  return performance.now() - t0;
}

/** The CLI gets `signal` once the fixture printed `spinning`: ms until it exited, having written its trace. */
async function signalMs(signal: NodeJS.Signals): Promise<number> {
  const child = spawn(process.execPath, [CLI, 'run', join(FAULTS, 'task-spins.ts'), '--trace', join(scratch, 'sig.json')]);
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  await new Promise<void>((r) => child.stdout.on('data', (d) => String(d).includes('│ spinning') && r()));
  const t0 = performance.now();
  child.kill(signal);
  await exited;
  return performance.now() - t0;
}

function cliMs(args: string[]): number {
  const t0 = performance.now();
  spawnSync(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  return performance.now() - t0;
}

const rounds = async (f: () => number | Promise<number>) => {
  const xs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) xs.push(await f());
  return median(xs);
};

const rows: [string, string][] = [];
for (const [where, file] of [
  ['main', 'main-spins.ts'],
  ['a task', 'task-spins.ts'],
  ['a callback', 'callback-spins.ts'],
]) {
  rows.push([`Stop, endless loop in ${where} (host API)`, `${(await rounds(() => stopMs(join(FAULTS, file), 'spinning'))).toFixed(0)} ms`]);
}
rows.push(['SIGTERM to the CLI, endless task, to exit with summary and trace written', `${(await rounds(() => signalMs('SIGTERM'))).toFixed(0)} ms`]);
rows.push(['SIGINT likewise', `${(await rounds(() => signalMs('SIGINT'))).toFixed(0)} ms`]);
rows.push(['main throws right after a 256-thread pool: whole CLI run', `${(await rounds(() => cliMs(['run', join(FAULTS, 'big-pool-throws.ts')]))).toFixed(0)} ms`]);
rows.push(['a million printed lines through the CLI (to /dev/null): whole run', `${(await rounds(() => cliMs(['run', join(FAULTS, 'million-lines.ts')]))).toFixed(0)} ms`]);

const trace = join(scratch, 'crash.json');
spawnSync(process.execPath, [CLI, 'run', join(import.meta.dirname, 'crash-after-tasks.ts'), '--trace', trace], { encoding: 'utf8' });
const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents as { cat?: string; args?: { status?: string } }[];
rows.push(['process.exit(3) in main after 10,000 tasks: finished tasks in the trace', `${events.filter((e) => e.cat === 'task' && e.args?.status === 'ok').length} of 10000`]);
rmSync(scratch, { recursive: true, force: true });

console.log(`| Figure (median of ${ROUNDS}) | Value |\n| --- | --- |`);
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
