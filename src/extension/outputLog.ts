// The "Poolscope" output channel: the program's printed lines, each with its time and lane,
// in the time order the runtime hands them on. A program may print millions of lines: they
// reach the channel in one append per turn of the event loop, not one message each, and the
// editor's run keeps only its first LINES_PER_RUN (the store's line budget), so the channel says
// how many more there were; the channel and the extension host stay usable.
import * as vscode from 'vscode';
import type { Lane, LogLine } from '../trace/model';

/** Enough for a test or a person to check the latest run; the channel itself keeps everything it was given. */
const KEPT_LINES = 2000;
/** The printed lines an editor's run keeps, in its trace and in this channel: the first ones. */
export const LINES_PER_RUN = 100_000;

export class OutputLog implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Poolscope');
  private recent: string[] = [];
  private pending: string[] = [];
  private flushing = false;

  /** A line about the run itself (start, outcome). */
  note(text: string): void {
    this.write(text);
  }

  /** A run ended: says how many of its lines were not kept (past LINES_PER_RUN), if any. */
  endRun(text: string, linesNotKept = 0): void {
    if (linesNotKept > 0) {
      this.write(
        `… and ${linesNotKept.toLocaleString('en')} more lines, not shown here and not kept: a run in the editor keeps its first ${LINES_PER_RUN.toLocaleString('en')} printed lines (in this channel and its trace); \`poolscope run\` in a terminal keeps every line`,
      );
    }
    this.write(text);
  }

  programLine(line: LogLine, lane: Lane | undefined): void {
    const ms = (line.ts / 1000).toFixed(1).padStart(8);
    const stream = line.stream === 'stderr' ? ' (stderr)' : '';
    this.write(`[${ms} ms] [${lane?.name ?? `lane ${line.lane}`}]${stream} ${line.text}`);
  }

  /** The latest lines written, oldest first. */
  lines(): readonly string[] {
    return this.recent.length > KEPT_LINES ? this.recent.slice(-KEPT_LINES) : this.recent;
  }

  dispose(): void {
    this.flush();
    this.channel.dispose();
  }

  private write(text: string): void {
    this.pending.push(text);
    this.recent.push(text);
    // Trimmed in steps, so a burst of lines costs no copy per line.
    if (this.recent.length > 2 * KEPT_LINES) this.recent = this.recent.slice(-KEPT_LINES);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushing = false;
    if (this.pending.length === 0) return;
    this.channel.append(this.pending.join('\n') + '\n');
    this.pending = [];
  }
}
