// The Pool Inspector in the editor: its commands, the panel serializer (restores the panel
// after a window reload), export/open of traces (Chrome Trace Event JSON, and open of a run
// journal), and the windows of a run past its span budget, loaded from its journal.
import { createReadStream } from 'node:fs';
import * as vscode from 'vscode';
import { analyzeYielding } from '../analysis';
import { readChromeTrace } from '../trace/chromeTrace';
import { isJournal } from '../runtime/journal/format';
import { JournalWindows, WindowLoader } from './journalWindows';
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

/** What the test hook for a window load answers: the spans the store then holds, and its task spans that ran in the window. */
export interface LoadedWindow {
  spans: number;
  tasksInWindow: number;
  notKept: number;
}

export function activateInspector(context: vscode.ExtensionContext, state: RunState): void {
  let view: InspectorWebview | undefined;
  const windows = new JournalWindows();
  const loader = new WindowLoader(state, windows);
  const adopt = (panel: vscode.WebviewPanel): InspectorWebview => {
    const v = new InspectorWebview(panel, context.extensionUri, state, (from, to) => loader.load(from, to));
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
      // A finding names spans of the run as it ended, not of a window loaded since.
      const whole = state.current?.whole;
      if (whole) state.set(whole);
      open().select(list);
    }),
    vscode.commands.registerCommand(INSPECTOR_COMMANDS.exportTrace, (target?: vscode.Uri) => exportTrace(state, target instanceof vscode.Uri ? target : undefined)),
    vscode.commands.registerCommand(INSPECTOR_COMMANDS.openTrace, async (uri?: vscode.Uri) => {
      if (await openTrace(state, windows, uri)) open();
    }),
  );
  // What the open inspector holds, for the integration tests.
  if (POOLSCOPE_TEST_HOOKS) {
    context.subscriptions.push(
      vscode.commands.registerCommand('poolscope.inspectorStats', (): InspectorStats | undefined => (view ? { ...view.stats } : undefined)),
      // As the view asks when it settles on a window (ms from the run's start, here).
      vscode.commands.registerCommand('poolscope.inspectorLoadWindow', async (fromMs: number, toMs: number): Promise<LoadedWindow | undefined> => {
        await loader.load(fromMs * 1000, toMs * 1000);
        const store = state.current?.store;
        if (!store) return undefined;
        let tasksInWindow = 0;
        for (let i = 0; i < store.spanCount; i++) {
          const s = store.span(i);
          if (s.kind === 'task' && s.start <= toMs * 1000 && s.end >= fromMs * 1000) tasksInWindow++;
        }
        return { spans: store.spanCount, tasksInWindow, notKept: store.notKept.tasks };
      }),
    );
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

async function openTrace(state: RunState, windows: JournalWindows, given?: vscode.Uri): Promise<boolean> {
  const uri =
    given ??
    (
      await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { 'Poolscope traces': ['json', 'psrec'], 'Chrome Trace Event JSON': ['json'], 'Poolscope run journal': ['psrec'] },
        title: 'Open Trace',
      })
    )?.[0];
  if (!uri) return false;
  try {
    const path = uri.fsPath;
    const config = readConfig(uri);
    // A run journal, whatever its name: the first tasks (as many as a run keeps), and windows of the rest on demand.
    const journal = isJournal(path);
    const store = journal
      ? (await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Poolscope: reading ${path}` }, () => windows.whole(path, config.keepSpans)))
          .store
      : await readChromeTrace(() => createReadStream(path), path);
    const findings = await analyzeYielding(store, { blockThresholdMs: config.blockThresholdMs });
    state.set({ store, findings, running: false, file: store.meta.file || path, ...(journal && store.notKept.any ? { journal: path } : {}) });
    return true;
  } catch (e) {
    void vscode.window.showErrorMessage(`Poolscope could not open ${uri.fsPath}: ${(e as Error).message}`);
    return false;
  }
}
