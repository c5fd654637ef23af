// Activation: builds the editor-facing parts once, registers every disposable in one place,
// and stops any run on deactivate. Activated only on use (a command, the language of a task file
// or Python program for the CodeLens, or a restored inspector panel).
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { PoolscopeApi } from './api';
import { RUN_COMMAND, RUNNABLE_LANGUAGES, RunMainCodeLens } from './codeLens';
import { FindingDiagnostics, ShowInInspectorActions } from './diagnostics';
import { INSPECTOR_COMMANDS, activateInspector } from './inspectorPanel';
import { OutputLog } from './outputLog';
import { RunController } from './runController';
import { RunState } from './runState';
import { RunStatusBar } from './statusBar';

let controller: RunController | undefined;

export function activate(context: vscode.ExtensionContext): PoolscopeApi {
  const started = performance.now();
  const state = new RunState();
  const output = new OutputLog();
  const status = new RunStatusBar(INSPECTOR_COMMANDS.open);
  const diagnostics = new FindingDiagnostics();
  // Journals go in the extension's own storage, never the user's project.
  controller = new RunController(state, diagnostics, output, status, (context.storageUri ?? context.globalStorageUri).fsPath);
  const run = controller;
  const runnable = RUNNABLE_LANGUAGES.map((language) => ({ language, scheme: 'file' }));

  // Every disposable in one place, disposed in reverse order of creation: the controller
  // (which stops a run) goes before the output, status bar and diagnostics it writes to.
  const owned: vscode.Disposable[] = [
    state,
    output,
    status,
    diagnostics,
    run,
    vscode.commands.registerCommand(RUN_COMMAND, (uri?: vscode.Uri) => run.run(uri)),
    vscode.commands.registerCommand('poolscope.stop', () => run.stop()),
    vscode.languages.registerCodeLensProvider(runnable, new RunMainCodeLens()),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new ShowInInspectorActions(diagnostics), {
      providedCodeActionKinds: ShowInInspectorActions.kinds,
    }),
  ];
  context.subscriptions.push(new vscode.Disposable(() => owned.reverse().forEach((d) => d.dispose())));
  activateInspector(context, state);

  const activationMs = performance.now() - started;
  output.note(`Poolscope activated in ${activationMs.toFixed(1)} ms`);
  return { activationMs, state, statusText: () => status.text, outputLines: () => output.lines() };
}

export function deactivate(): Promise<void> | undefined {
  return controller?.close();
}
