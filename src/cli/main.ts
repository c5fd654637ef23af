#!/usr/bin/env node
// `poolscope run <file>` and `poolscope view <trace.json>`: the runtime, trace and analysis
// without an editor, for CI and for anyone who just wants the trace.
import { createReadStream, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze } from '../analysis';
import { readChromeTrace } from '../trace/chromeTrace';
import { FORMAT_NAMES, traceFileFormat, writeTraceFile } from '../trace/traceFile';
import { writeChunks } from '../trace/writeChunks';
import { formatSite } from '../trace/model';
import type { TraceStore } from '../trace/store';
import { startRun, type RunError, type RunOptions } from '../runtime/host/run';
import { isJournal, JOURNAL_EXT, isJournalPath } from '../runtime/journal/format';
import { indexJournal, runSteps } from '../runtime/journal/journalIndex';
import { replayJournal, windowSteps } from '../runtime/journal/replay';
import { KEEP_ALL, DEFAULT_MAX_SPANS } from '../trace/notKept';
import { startPythonRun } from '../runtime/python/pythonRun';
import { isPythonFile, parseCli, USAGE, UsageError, type CliOptions } from './args';
import { htmlReport } from './htmlReport';
import { jsonReport, textReport } from './report';
import { unwritable } from './outputs';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;

/** Exit codes of a run stopped by a signal, as a shell reports them (128 + the signal's number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

async function run(opts: CliOptions): Promise<number> {
  for (const [flag, path] of [
    ['--trace', opts.traceOut],
    ['--html', opts.htmlOut],
  ] as const) {
    const why = path === undefined ? undefined : unwritable(path);
    if (why) {
      process.stderr.write(`poolscope: ${flag} ${path}: ${why}; nothing was run\n`);
      return EXIT_BAD_INPUT;
    }
  }
  const journal = journalOf(opts);
  const runOpts: RunOptions = {
    journal,
    maxSpans: opts.maxSpans ?? DEFAULT_MAX_SPANS,
    workers: opts.workers,
    timeoutMs: opts.timeoutMs,
    trace: opts.trace,
    onLog: opts.json ? undefined : (line, lane) => (line.stream === 'stderr' ? process.stderr : process.stdout).write(`${(lane?.name ?? '?').padEnd(9)}│ ${line.text}\n`),
  };
  const handle = isPythonFile(opts.file) ? startPythonRun(opts.file, { ...runOpts, args: opts.args, python: opts.python }) : startRun(opts.file, runOpts);
  // A signal stops the run and the user still gets what it recorded: the summary, the
  // findings so far and the files asked for. A second one does not wait for that.
  let signalled: keyof typeof SIGNAL_EXIT | undefined;
  const onSignal = (signal: keyof typeof SIGNAL_EXIT) => {
    if (signalled) process.exit(SIGNAL_EXIT[signalled]);
    signalled = signal;
    process.stderr.write(`poolscope: ${signal}: stopping the run\n`);
    void handle.stop();
  };
  for (const signal of Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]) process.on(signal, onSignal);
  const result = await handle.done;
  for (const signal of Object.keys(SIGNAL_EXIT)) process.off(signal, onSignal);
  if (result.outcome === 'bad-input') {
    const where = result.error?.site ? `${formatSite(result.error.site)}: ` : '';
    process.stderr.write(`poolscope: ${where}${result.error?.message}\n`);
    // Input found bad once the program had started: what it did until then is kept, as for
    // any end; the summary is shown if it did anything.
    const { store } = result;
    if (store.lanes.length > 0) await report(store, opts, opts.json ? result.error : undefined, result.journalFailed, store.spanCount > 0 || store.logs.length > 0);
    else settleJournal(store, opts, true, result.journalFailed);
    return EXIT_BAD_INPUT;
  }
  const written = await report(result.store, opts, result.error, result.journalFailed);
  if (!written) return EXIT_BAD_INPUT;
  if (signalled) return SIGNAL_EXIT[signalled];
  return result.outcome === 'returned' ? EXIT_OK : EXIT_FAILED;
}

/**
 * Where a run keeps its journal as it goes, so a killed CLI still leaves the run: the trace itself
 * when that is one (out.psrec), else beside it (out.json.psrec); none without --trace.
 */
function journalOf(opts: CliOptions): string | undefined {
  if (opts.command !== 'run' || opts.traceOut === undefined) return undefined;
  return isJournalPath(opts.traceOut) ? opts.traceOut : opts.traceOut + JOURNAL_EXT;
}

/**
 * Once the files asked for are written (`written`: all of them): says if the journal stopped short
 * (`failed`; it is kept, with what it holds), and keeps a journal beside the trace where it alone
 * holds the whole run (tasks the store did not keep, a trace that could not be written); else it
 * has done its work and goes.
 */
function settleJournal(store: TraceStore, opts: CliOptions, written: boolean, failed: string | undefined): void {
  const journal = journalOf(opts);
  if (journal === undefined) return;
  if (failed !== undefined) process.stderr.write(`poolscope: the run journal ${resolve(journal)} ${failed}; it holds the run until then, and the report above all of it\n`);
  if (journal === opts.traceOut || failed !== undefined) return;
  if (!store.notKept.any && written) rmSync(journal, { force: true });
  else if (!opts.json)
    process.stdout.write(
      `the whole run is kept in ${resolve(journal)}: poolscope view ${resolve(journal)}${store.notKept.any ? ' --from <ms> --to <ms> shows any part of it' : ' shows it'}\n`,
    );
}

async function view(opts: CliOptions): Promise<number> {
  let store: TraceStore;
  let error: RunError | undefined;
  try {
    if (isJournal(opts.file)) {
      const keep = { ...KEEP_ALL, maxSpans: opts.maxSpans ?? DEFAULT_MAX_SPANS };
      const w = opts.window;
      // One pass over the journal's record heads, then only the frames that hold what is kept.
      const index = indexJournal(opts.file);
      const replay = w ? runSteps(windowSteps(index, w.fromMs * 1000, w.toMs * 1000, keep.maxSpans)) : replayJournal(opts.file, keep, undefined, index);
      store = replay.store;
      // A journal without its end: the CLI that wrote it was killed, or is still running.
      if (!replay.end) error = { message: `the journal ends at ${(store.end / 1000).toFixed(1)} ms, before the run's end: what was recorded until then is shown` };
    } else if (opts.window) throw new Error('--from and --to apply to a run journal (.psrec) only');
    else store = await readChromeTrace(() => createReadStream(opts.file), opts.file);
  } catch (e) {
    process.stderr.write(`poolscope: ${opts.file}: ${(e as Error).message}\n`);
    return EXIT_BAD_INPUT;
  }
  return (await report(store, opts, error)) ? EXIT_OK : EXIT_BAD_INPUT;
}

/**
 * Prints the summary, writes the files asked for and settles the run's journal (`journalFailed`:
 * it stopped short). Returns whether every file asked for was written.
 */
async function report(store: TraceStore, opts: CliOptions, error: RunError | undefined, journalFailed?: string, summary = true): Promise<boolean> {
  const findings = analyze(store, { blockThresholdMs: opts.thresholdMs });
  const recording = opts.command === 'run' && !opts.trace ? 'off' : 'on';
  if (summary) process.stdout.write((opts.json ? jsonReport(store, findings, error, recording) : textReport(store, findings, error, recording)) + '\n');
  let written = true;
  if (opts.traceOut && isJournalPath(opts.traceOut)) {
    if (journalFailed) written = false;
    else if (!opts.json) process.stdout.write(`trace (poolscope run journal, opens with poolscope view): ${resolve(opts.traceOut)}\n`);
  } else if (opts.traceOut) {
    written = await writeOut('--trace', opts.traceOut, `trace (${FORMAT_NAMES[traceFileFormat(opts.traceOut)]})`, () => writeTraceFile(opts.traceOut!, store), opts);
  }
  if (opts.htmlOut) {
    const html = opts.htmlOut;
    written =
      (await writeOut('--html', html, 'timeline (open in a browser)', () => writeChunks(html, htmlReport(store, findings, { blockThresholdMs: opts.thresholdMs })), opts)) &&
      written;
  }
  settleJournal(store, opts, written, journalFailed);
  return written;
}

/** Writes one file asked for, and says where it is or why it could not be written. */
async function writeOut(flag: string, path: string, what: string, write: () => Promise<unknown>, opts: CliOptions): Promise<boolean> {
  try {
    await write();
  } catch (e) {
    process.stderr.write(`poolscope: ${flag} ${path}: could not write it: ${(e as Error).message}\n`);
    return false;
  }
  if (!opts.json) process.stdout.write(`${what}: ${resolve(path)}\n`);
  return true;
}

async function cli(argv: string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // --help is asked for: it goes where output goes; a usage mistake goes to stderr.
    if (!e.message) process.stdout.write(`${USAGE}\n`);
    else process.stderr.write(`poolscope: ${e.message}\n${USAGE}\n`);
    return e.message ? EXIT_BAD_INPUT : EXIT_OK;
  }
  return opts.command === 'run' ? run(opts) : view(opts);
}

// A reader that goes away (`poolscope run x | head`) is not an error of the run.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

process.exitCode = await cli(process.argv.slice(2));
