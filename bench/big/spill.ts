// `npm run bench:big -- --spill [--tasks N]`: a run too big for the store (default 10M no-op
// tasks, in batches of 100k) through the CLI with its journal as the trace: peak RSS, wall time,
// the journal's size, and `poolscope view` of a 1 s window of it. Writes its own section of
// bench/BIG-RUNS.md, leaving the 1M rows as they are.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeSection } from '../results';

const MB = 2 ** 20;

/** `root`: the repository's folder. */
export function spillBench(root: string, tasks: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-spill-'));
  const env = { ...process.env, TASKS: String(tasks), BATCH: '100000' };
  const loadAtStart = loadavg()[0];
  const measured = (args: string[]) => {
    const rssFile = join(dir, 'maxrss');
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(root, 'bench', 'big', 'maxrss.mjs')).href, join(root, 'dist', 'cli.mjs'), ...args], {
      cwd: root,
      env: { ...env, POOLSCOPE_MAXRSS_FILE: rssFile },
      encoding: 'utf8',
      maxBuffer: 64 * MB,
    });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`poolscope ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    return { rssMB: Number(readFileSync(rssFile, 'utf8')) / 1024, ms, stdout: r.stdout };
  };
  try {
    console.log(`spill: ${tasks} tasks, files in ${dir}`);
    const journal = join(dir, 'run.psrec');
    const run = measured(['run', join(root, 'bench', 'big', 'batches.ts'), '--workers', '2', '--trace', journal]);
    const notKept = /^not kept in memory: .*$/m.exec(run.stdout)?.[0] ?? 'not kept in memory: none';
    const summary = /^── poolscope: .*$/m.exec(run.stdout)?.[0] ?? '';
    const runMs = Number(/after ([\d.]+) ms/.exec(summary)?.[1]);
    console.log(summary, notKept, run.rssMB, run.ms);
    const bytes = statSync(journal).size;
    // A window of 1 s in the middle of the run.
    const from = Math.round(runMs / 2);
    const view = measured(['view', journal, '--from', String(from), '--to', String(from + 1000)]);
    const shown = /^not kept in memory: ([\d,]+) of ([\d,]+) tasks/m.exec(view.stdout);
    const kept = shown ? Number(shown[2].replace(/,/g, '')) - Number(shown[1].replace(/,/g, '')) : NaN;
    console.log('view', view.rssMB, view.ms, kept);
    const full = measured(['view', journal]);
    console.log('view whole', full.rssMB, full.ms);
    const f = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
    const section = [
      `## ${f(tasks)} tasks: the trace kept on disk as it is recorded`,
      '',
      `Run ${new Date().toISOString().slice(0, 19)}Z by \`npm run bench:big -- --spill\`; load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end.`,
      `The program: \`bench/big/batches.ts\`, ${f(tasks)} no-op \`applyAsync\` tasks in batches of 100,000 (each batch's results awaited before the next) on 2 workers; traced, with \`--trace run.psrec\` (the journal is the trace: no export at the end).`,
      '',
      '| measure | figure |',
      '|---|---:|',
      `| whole CLI: peak RSS, wall time | ${f(run.rssMB)} MB, ${f(run.ms / 1000, 1)} s |`,
      `| the run as the summary gives it | ${summary.replace(/^── poolscope: | ──$/g, '')} |`,
      `| what the store did not keep | ${notKept.replace(/^not kept in memory: /, '')} |`,
      `| journal on disk | ${f(bytes / MB, 1)} MB (${f(bytes / tasks)} B/task) |`,
      `| \`view\` of a 1 s window (${f(from)}–${f(from + 1000)} ms): peak RSS, wall time, tasks kept | ${f(view.rssMB)} MB, ${f(view.ms / 1000, 1)} s, ${f(kept)} |`,
      `| \`view\` of the whole journal (as many spans kept as by default): peak RSS, wall time | ${f(full.rssMB)} MB, ${f(full.ms / 1000, 1)} s |`,
      '',
      'The store keeps the first tasks up to its span budget (`--keep`, default 1,200,000) and counts the rest per lane; the',
      "journal holds every record as the rings held it. `view` first indexes the journal (one pass over the records' heads:",
      'per frame, where it lies, its times, the task, job and wait ids it names and what its tasks add to their lanes), then',
      'reads only the frames that can hold the tasks it keeps, and counts the others from the index.',
      '',
    ].join('\n');
    writeSection(join(root, 'bench', 'BIG-RUNS.md'), section);
    console.log(section);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
