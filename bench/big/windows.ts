// `npm run bench:big -- --windows [--tasks N]`: windows of a real journal as the inspector loads
// them. The run: bench/big/million.ts (default 1M no-op tasks) through the CLI with its journal as
// the trace. Then, in this process: the journal's index built once (as the editor does at the
// first window), windows of 10 ms, 100 ms and 1 s across the run replayed through it, and the same
// windows replayed reading every record (as before the index), and `poolscope view --from --to`
// of a 1 s window (which builds the index, then reads the window). Writes its own section of
// bench/BIG-RUNS.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexJournal, runSteps, tasksInWindow } from '../../src/runtime/journal/journalIndex';
import { replayJournal, windowSteps } from '../../src/runtime/journal/replay';
import { median, writeSection } from '../results';

const MB = 2 ** 20;
/** The editor's span budget (poolscope.keepSpans' default). */
const KEEP = 100_000;

/** `root`: the repository's folder. */
export function windowsBench(root: string, tasks: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-windows-'));
  let section: string;
  try {
    section = measure(root, dir, tasks);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeSection(join(root, 'bench', 'BIG-RUNS.md'), section);
  console.log(section);
}

/** Runs the program, measures its journal's windows in `dir`, and says what it found as a section of bench/BIG-RUNS.md. */
function measure(root: string, dir: string, tasks: number): string {
  const loadAtStart = loadavg()[0];
  const cli = (args: string[]) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, TASKS: String(tasks) },
      encoding: 'utf8',
      maxBuffer: 64 * MB,
    });
    if (r.status !== 0) throw new Error(`poolscope ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    return { ms: performance.now() - t, stdout: r.stdout };
  };
  const journal = join(dir, 'run.psrec');
  const run = cli(['run', join(root, 'bench', 'big', 'million.ts'), '--workers', '2', '--trace', journal]);
  const summary = /^── poolscope: .*$/m.exec(run.stdout)?.[0] ?? '';
  const bytes = statSync(journal).size;
  let t = performance.now();
  const index = indexJournal(journal);
  const indexMs = performance.now() - t;
  // Where the workers ran tasks: from the first task's start to the last one's end.
  const whole = replayJournal(journal, { maxSpans: Infinity, taskFrom: 1, taskTo: Infinity }, undefined, index).store;
  let first = Infinity,
    last = 0;
  for (let i = 0; i < whole.spanCount; i++)
    if (whole.kind(i) === 'task') {
      first = Math.min(first, whole.col.start[i]);
      last = Math.max(last, whole.col.end[i]);
    }
  const rows: string[] = [];
  const f = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  let cliWindow = '';
  for (const widthMs of [10, 100, 1000]) {
    const indexed: number[] = [];
    const read: number[] = [];
    const kept: number[] = [];
    for (let k = 0; k < 5; k++) {
      const from = first + ((last - first - widthMs * 1000) * k) / 4;
      const to = from + widthMs * 1000;
      t = performance.now();
      const w = runSteps(windowSteps(index, from, to, KEEP)).store;
      indexed.push(performance.now() - t);
      kept.push(w.notKept.window!.runTasks - w.notKept.tasks);
      t = performance.now();
      replayJournal(journal, { maxSpans: KEEP, ...tasksInWindow(index, from, to) });
      read.push(performance.now() - t);
    }
    rows.push(`| ${f(widthMs)} ms, 5 across the run: tasks kept (at most ${f(KEEP)}) | ${kept.map((n) => f(n)).join(', ')} |`);
    rows.push(`| ${f(widthMs)} ms: replay through the index, median (each) | ${f(median(indexed))} ms (${indexed.map((n) => f(n)).join(', ')}) |`);
    rows.push(`| ${f(widthMs)} ms: replay reading every record, median (each) | ${f(median(read))} ms (${read.map((n) => f(n)).join(', ')}) |`);
    if (widthMs === 1000) {
      const from = Math.round((first + (last - first) / 2) / 1000);
      cliWindow = `| \`poolscope view --from ${f(from)} --to ${f(from + 1000)}\` (index, then window), wall time | ${f(cli(['view', journal, '--from', String(from), '--to', String(from + 1000), '--keep', String(KEEP)]).ms)} ms |`;
    }
  }
  return [
    `## Windows of a ${f(tasks)}-task journal, as the inspector loads them`,
    '',
    `Run ${new Date().toISOString().slice(0, 19)}Z by \`npm run bench:big -- --windows\`; load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end.`,
    `The program: \`bench/big/million.ts\` with \`--trace run.psrec\` (${summary.replace(/^── poolscope: | ──$/g, '')}); journal ${f(bytes / MB, 1)} MB, ${f(index.frames.length)} frames. Windows keep at most ${f(KEEP)} spans (the editor's \`poolscope.keepSpans\`); the workers ran tasks from ${f(first / 1000)} to ${f(last / 1000)} ms.`,
    '',
    '| measure | figure |',
    '|---|---:|',
    `| the journal's index, built once (the editor's first window) | ${f(indexMs)} ms |`,
    ...rows,
    cliWindow,
    '',
    'The index holds, for each frame, where it lies, when its records happened, the task, job and wait ids they name and what',
    "its tasks add to their lanes' figures. A window reads the frames of task starts and ends that reach into it to find its",
    'tasks, then only the frames that can hold those tasks, their jobs and the waits on them, and frames of anything else',
    '(strings, lanes, printed lines...); the other frames are counted from the index. "Reading every record" is the replay',
    'as it was before the index, for the same tasks (without its first pass over the file to find them).',
    '',
  ].join('\n');
}
