// One pool run at a time: starts the runtime on a task file (user code runs in worker threads,
// never here) or a Python program under the tracer (in a process tree of its own), streams
// progress and output, stops on request, and turns the finished trace into findings and diagnostics.
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { analyzeYielding } from '../analysis';
import { programEnv } from './programEnv';
import { startRun, type RunError, type RunHandle, type RunOptions } from '../runtime/host/run';
import { startPythonRun } from '../runtime/python/pythonRun';
import { languageOf, type RunOutcome } from '../trace/model';
import { readConfig } from './config';
import { INSPECTOR_COMMANDS } from './inspectorPanel';
import type { FindingDiagnostics } from './diagnostics';
import { LINES_PER_RUN, type OutputLog } from './outputLog';
import { pythonFor, type PythonChoice } from './pythonInterpreter';
import type { RunState, ShownRun } from './runState';
import type { RunStatusBar } from './statusBar';

const RUNNING_CONTEXT = 'poolscope.running';
/**
 * Main's record ring in an editor run: a quarter of the CLI's, room for some 80k tasks issued in
 * a burst before main waits for the host to read. The extension host holds it while the run goes,
 * and its memory is the editor's.
 */
const MAIN_RING_BYTES = 16 * 1024 * 1024;

/** What "Run in Pool" resolves to: how the run ended and what it found. */
export interface RunSummary {
  file: string;
  outcome: RunOutcome;
  findings: number;
  error?: RunError;
  /** tasks past the span budget (poolscope.keepSpans): run and counted, not kept */
  notKept?: { tasks: number; reason: string };
  /** printed lines past the editor's line budget (LINES_PER_RUN): counted, not kept */
  linesNotKept?: number;
}

interface ActiveRun {
  file: string;
  handle: RunHandle;
  finished: Promise<RunSummary>;
}

export class RunController implements vscode.Disposable {
  private active: ActiveRun | undefined;

  constructor(
    private readonly state: RunState,
    private readonly diagnostics: FindingDiagnostics,
    private readonly output: OutputLog,
    private readonly status: RunStatusBar,
    /** where runs keep their journals: the extension's storage, outside the user's project */
    private readonly journalDir: string,
  ) {}

  /**
   * Runs `uri` (explorer, CodeLens) or the active editor's file. Resolves when the run has
   * ended, or with undefined when nothing was run.
   */
  async run(uri?: vscode.Uri): Promise<RunSummary | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage('Poolscope: running a file executes its code; trust this workspace first.');
      return undefined;
    }
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== 'file') {
      void vscode.window.showErrorMessage('Poolscope: open a JavaScript or TypeScript task file (one that exports `main`), or a Python program, to run it in the pool.');
      return undefined;
    }
    if (this.active && !(await this.confirmStop(this.active.file, target.fsPath))) return undefined;
    // The runtime reads the file from disk: what the user sees in the editor is what runs.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (open?.isDirty) await open.save();
    const python = languageOf(target.fsPath) === 'python' ? await pythonFor(target, (text) => this.output.note(text)) : undefined;
    // Another "Run in Pool" may have started a run while this one awaited: the last one wins.
    while (this.active) await this.stop();
    return this.start(target, python);
  }

  /** Ends the current run (within 2 s, whatever its code does) and waits for its results. */
  async stop(): Promise<void> {
    const run = this.active;
    if (!run) return;
    await run.handle.stop();
    await run.finished;
  }

  /** Stops the run and deletes its journal (the extension deactivates). */
  async close(): Promise<void> {
    await this.stop();
    this.dropJournal();
  }

  dispose(): void {
    void this.close();
  }

  /**
   * A journal for the next run: every record on disk as the run goes, so a run past the span
   * budget can be looked at window by window. Only the latest run's is kept, and only while its
   * store lacks tasks; it is named for this extension host, so two windows' runs never share one.
   */
  private newJournal(): string | undefined {
    this.dropJournal();
    try {
      mkdirSync(this.journalDir, { recursive: true });
    } catch (e) {
      this.output.note(`no run journal (${(e as Error).message}): a run past poolscope.keepSpans shows only the tasks it kept`);
      return undefined;
    }
    return this.journalPath();
  }

  private journalPath(): string {
    return join(this.journalDir, `run-${process.pid}.psrec`);
  }

  private dropJournal(): void {
    rmSync(this.journalPath(), { force: true });
  }

  private async confirmStop(runningFile: string, nextFile: string): Promise<boolean> {
    const stopIt = { label: `Stop ${basename(runningFile)} and run ${basename(nextFile)}`, stop: true };
    const keep = { label: `Keep ${basename(runningFile)} running`, stop: false };
    const pick = await vscode.window.showQuickPick([stopIt, keep], {
      title: 'A pool run is going on',
      placeHolder: `${basename(runningFile)} is still running in the pool`,
    });
    return pick?.stop === true;
  }

  /** `python`: the interpreter that runs a Python program (its pools size themselves, as Python's do). */
  private start(uri: vscode.Uri, python: PythonChoice | undefined): Promise<RunSummary> {
    const file = uri.fsPath;
    const config = readConfig(uri);
    const name = basename(file);
    const how = python ? `with ${python.command} from ${python.from}` : `workers: ${config.workers}`;
    this.output.note(`▶ ${file} (${how}${config.runTimeoutMs ? `, timeout: ${config.runTimeoutMs} ms` : ''})`);
    this.output.channel.show(true);
    this.status.running(name);
    const journal = this.newJournal();
    const opts: RunOptions = {
      journal,
      journalInBackground: true,
      workers: config.workers,
      timeoutMs: config.runTimeoutMs || undefined,
      maxSpans: config.keepSpans,
      maxLines: LINES_PER_RUN,
      mainRingBytes: MAIN_RING_BYTES,
      env: programEnv(),
      onLog: (line, lane) => this.output.programLine(line, lane),
      onProgress: (p) => {
        this.status.running(name, p);
        if (this.state.current === shown) this.state.set(shown);
      },
    };
    const handle = python ? startPythonRun(file, { ...opts, python: python.command }) : startRun(file, opts);
    const shown: ShownRun = { store: handle.store, findings: [], running: true, file, ...(journal === undefined ? {} : { journal }) };
    this.state.set(shown);
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, true);
    if (config.openInspectorOnRun) void vscode.commands.executeCommand(INSPECTOR_COMMANDS.open);
    const finished = this.finish(handle, shown);
    this.active = { file, handle, finished };
    return finished;
  }

  private async finish(handle: RunHandle, shown: ShownRun): Promise<RunSummary> {
    const { file } = shown;
    let summary: RunSummary;
    try {
      const result = await handle.done;
      const config = readConfig(vscode.Uri.file(file));
      const findings =
        result.outcome === 'bad-input' ? [] : (await analyzeYielding(result.store, { blockThresholdMs: config.blockThresholdMs })).filter((f) => config.shownRules.has(f.rule));
      await this.diagnostics.show(file, findings);
      shown.store = result.store;
      shown.findings = findings;
      const { notKept } = result.store;
      if (!notKept.any) this.forgetJournal(shown);
      else if (result.journalFailed)
        this.output.note(`the run's journal ${result.journalFailed}: windows of the run that the Pool Inspector loads from it hold only what came before`);
      summary = {
        file,
        outcome: result.outcome,
        findings: findings.length,
        error: result.error,
        ...(notKept.any ? { notKept: { tasks: notKept.tasks, reason: notKept.reason } } : {}),
        ...(notKept.lines > 0 ? { linesNotKept: notKept.lines } : {}),
      };
    } catch (e) {
      // A runtime failure must not take the extension host down: report it as a crashed run.
      const err = e instanceof Error ? e : new Error(String(e));
      summary = { file, outcome: 'crashed', findings: 0, error: { message: err.message, stack: err.stack } };
      this.forgetJournal(shown);
    }
    shown.running = false;
    this.report(summary);
    if (this.active?.handle === handle) {
      this.active = undefined;
      void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, false);
    }
    if (this.state.current === shown) this.state.set(shown);
    return summary;
  }

  /** The run kept every task: its journal has nothing more to show. */
  private forgetJournal(shown: ShownRun): void {
    // Runs take turns (a new one starts once the last has finished), so the journal is this run's.
    if (shown.journal !== undefined) this.dropJournal();
    delete shown.journal;
  }

  private report(s: RunSummary): void {
    const name = basename(s.file);
    this.status.finished(name, s.outcome, s.findings);
    const where = s.error?.site ? ` (${s.error.site.file}:${s.error.site.line}:${s.error.site.col})` : '';
    this.output.endRun(`■ ${name}: ${s.outcome}, ${s.findings} finding${s.findings === 1 ? '' : 's'}${s.error ? ` — ${s.error.message}${where}` : ''}`, s.linesNotKept);
    if (s.notKept) {
      this.output.note(
        `${s.notKept.tasks.toLocaleString('en-US')} tasks not kept in memory (${s.notKept.reason}; setting poolscope.keepSpans): they are counted per lane in the Pool Inspector, but not drawn and not in the findings; the run's journal keeps them all, and the Pool Inspector loads the part of the run in view from it`,
      );
    }
    if (s.outcome === 'bad-input' || s.outcome === 'crashed') {
      void vscode.window.showErrorMessage(`Poolscope could not run ${name}: ${s.error?.message ?? s.outcome}${where}`);
    }
  }
}
