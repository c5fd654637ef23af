// The Pool Inspector in the editor: its commands, the panel serializer (restores the panel
// after a window reload), and export/open of traces in the Chrome Trace Event Format.
import { createReadStream } from 'node:fs';
import * as vscode from 'vscode';
import { analyzeYielding } from '../analysis';
import { readChromeTrace } from '../trace/chromeTrace';
import { writeTraceFile } from '../trace/traceFile';
import { readConfig } from './config';
import { InspectorWebview, VIEW_TYPE, type InspectorStats } from './inspectorWebview';
import type { RunState } from './runState';

export const INSPECTOR_COMMANDS = {
  open: 'poolscope.openInspector',
  exportTrace: 'poolscope.exportTrace',
  openTrace: 'poolscope.openTrace',
  showIn: 'poolscope.showInInspector',
} as const;

export function activateInspector(context: vscode.ExtensionContext, state: RunState): void {
  let view: InspectorWebview | undefined;
  const adopt = (panel: vscode.WebviewPanel): InspectorWebview => {
    const v = new InspectorWebview(panel, context.extensionUri, state);
    view = v;
    v.onDidDispose(() => {
      if (view === v) view = undefined;
    });
    return v;
  };
  const open = (): InspectorWebview => {
    if (view) {
      view.reveal();
      return view;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      'Pool Inspector',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'media', 'dist')],
      },
    );
    return adopt(panel);
  };

  context.subscriptions.push(
    { dispose: () => view?.panel.dispose() },
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => {
        adopt(panel);
      },
    }),
    vscode.commands.registerCommand(INSPECTOR_COMMANDS.open, () => {
      open();
    }),
    vscode.commands.registerCommand(INSPECTOR_COMMANDS.showIn, (spans: unknown) => {
      const list = Array.isArray(spans) ? spans.filter((i): i is number => Number.isInteger(i) && i >= 0) : [];
      open().select(list);
    }),
    vscode.commands.registerCommand(INSPECTOR_COMMANDS.exportTrace, (target?: vscode.Uri) => exportTrace(state, target instanceof vscode.Uri ? target : undefined)),
    vscode.commands.registerCommand(INSPECTOR_COMMANDS.openTrace, async (uri?: vscode.Uri) => {
      if (await openTrace(state, uri)) open();
    }),
  );
  // What the open inspector holds, for the integration tests.
  if (POOLSCOPE_TEST_HOOKS) {
    context.subscriptions.push(vscode.commands.registerCommand('poolscope.inspectorStats', (): InspectorStats | undefined => (view ? { ...view.stats } : undefined)));
  }
}

async function exportTrace(state: RunState, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const run = state.current;
  if (!run) {
    void vscode.window.showInformationMessage('Poolscope: there is no run to export yet.');
    return undefined;
  }
  const uri =
    target ??
    (await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(run.file.replace(/\.[^./\\]*$/, '') + '.trace.json'),
      filters: { 'Chrome Trace Event JSON': ['json'], 'Perfetto protobuf trace': ['perfetto-trace', 'pftrace'] },
      title: 'Export Trace',
    }));
  if (!uri) return undefined;
  await writeTraceFile(uri.fsPath, run.store);
  return uri;
}

async function openTrace(state: RunState, given?: vscode.Uri): Promise<boolean> {
  const uri = given ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Chrome Trace Event JSON': ['json'] }, title: 'Open Trace' }))?.[0];
  if (!uri) return false;
  try {
    const store = await readChromeTrace(() => createReadStream(uri.fsPath), uri.fsPath);
    const findings = await analyzeYielding(store, { blockThresholdMs: readConfig(uri).blockThresholdMs });
    state.set({ store, findings, running: false, file: store.meta.file || uri.fsPath });
    return true;
  } catch (e) {
    void vscode.window.showErrorMessage(`Poolscope could not open ${uri.fsPath}: ${(e as Error).message}`);
    return false;
  }
}
