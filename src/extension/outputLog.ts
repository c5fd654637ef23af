// The "Poolscope" output channel: the program's printed lines, each with its time and lane,
// in the time order the runtime hands them on.
import * as vscode from 'vscode';
import type { Lane, LogLine } from '../trace/model';

/** Enough for a test or a person to check the latest run; the channel itself keeps everything. */
const KEPT_LINES = 2000;

export class OutputLog implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('Poolscope');
  private readonly recent: string[] = [];

  /** A line about the run itself (start, outcome). */
  note(text: string): void {
    this.write(text);
  }

  programLine(line: LogLine, lane: Lane | undefined): void {
    const ms = (line.ts / 1000).toFixed(1).padStart(8);
    const stream = line.stream === 'stderr' ? ' (stderr)' : '';
    this.write(`[${ms} ms] [${lane?.name ?? `lane ${line.lane}`}]${stream} ${line.text}`);
  }

  /** The latest lines written, oldest first. */
  lines(): readonly string[] {
    return this.recent;
  }

  dispose(): void {
    this.channel.dispose();
  }

  private write(text: string): void {
    this.channel.appendLine(text);
    this.recent.push(text);
    if (this.recent.length > KEPT_LINES) this.recent.splice(0, this.recent.length - KEPT_LINES);
  }
}
