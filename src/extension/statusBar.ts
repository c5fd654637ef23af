// The status bar item: live counts while a run goes on, its outcome and findings after.
// Clicking it opens the inspector.
import * as vscode from 'vscode';
import type { Progress } from '../trace/builder';
import type { RunOutcome } from '../trace/model';

const OUTCOME_ICON: Record<RunOutcome, string> = {
  returned: '$(pass)',
  threw: '$(error)',
  deadlock: '$(lock)',
  timeout: '$(watch)',
  stopped: '$(debug-stop)',
  crashed: '$(error)',
  'bad-input': '$(warning)',
  running: '$(sync~spin)',
};

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('poolscope.run', vscode.StatusBarAlignment.Left, 50);

  constructor(openCommand: string) {
    this.item.name = 'Poolscope Run';
    this.item.command = openCommand;
  }

  running(fileName: string, p: Progress = { issued: 0, done: 0, failed: 0, records: 0 }): void {
    const failed = p.failed ? `, ${p.failed} failed` : '';
    this.item.text = `$(sync~spin) Pool: ${p.done}/${p.issued} done${failed}`;
    this.item.tooltip = `Running ${fileName} in the pool: ${p.issued} tasks issued, ${p.done} done, ${p.failed} failed. Click to open the inspector.`;
    this.item.show();
  }

  finished(fileName: string, outcome: RunOutcome, findings: number): void {
    const found = `${findings} finding${findings === 1 ? '' : 's'}`;
    this.item.text = `${OUTCOME_ICON[outcome]} Pool: ${outcome} · ${found}`;
    this.item.tooltip = `${fileName}: ${outcome}, ${found}. Click to open the inspector.`;
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
