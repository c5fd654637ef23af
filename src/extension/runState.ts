// The run the editor currently shows, shared by the run controller (which fills it) and the
// inspector panel (which draws it).
import * as vscode from 'vscode';
import type { Finding } from '../analysis/types';
import type { TraceStore } from '../trace/store';

export interface ShownRun {
  store: TraceStore;
  /** empty until the run has ended and been analysed */
  findings: Finding[];
  running: boolean;
  /** absolute path of the task file (or of the trace file, for an opened trace) */
  file: string;
  /** the run's journal on disk, kept when the store did not keep every task: windows of the run load from it */
  journal?: string;
  /** set when the store holds one window of the run: the run as it was shown before */
  whole?: ShownRun;
}

export class RunState implements vscode.Disposable {
  current: ShownRun | undefined;
  private readonly changed = new vscode.EventEmitter<ShownRun | undefined>();
  /** Fires when a run starts, makes progress (at most every 100 ms), ends, or another run is shown. */
  readonly onDidChange = this.changed.event;

  /** Shows `run` (a new one, or the same one updated in place) and tells every listener. */
  set(run: ShownRun | undefined): void {
    this.current = run;
    this.changed.fire(run);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
