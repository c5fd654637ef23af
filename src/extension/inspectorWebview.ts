// One inspector panel: its HTML (strict CSP, script by nonce), the checked messages from the
// webview, and the live feed: one batch in flight at a time, sequence-numbered, every 100 ms
// while the run goes (at once after the view applied one, while rows wait to be sent), with a
// snapshot when the view says it is ready (first load, or after it was hidden and rebuilt) or
// saw a gap.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { TraceFeed } from '../protocol/encode';
import { PROTOCOL_VERSION, type HostEnvelope, type HostMessage } from '../protocol/messages';
import type { Site } from '../protocol/wire';
import { inspectorHtml } from './inspectorHtml';
import { receiveViewMessage } from './viewInbox';
import { sourceRefusal } from './sourceLinks';
import { readConfig } from './config';
import type { RunState, ShownRun } from './runState';

export const VIEW_TYPE = 'poolscope.inspector';
const BATCH_MS = 100;
/**
 * Span rows a batch: about 0.5 MB. The editor copies each message on the host's thread (and in a
 * remote window compresses it there too): a batch of 16 MB held the host for 0.4-0.6 s.
 */
const PANEL_ROWS = 1 << 13;

export interface InspectorStats {
  /** spans the webview reported holding after its last applied batch */
  spansReceived: number;
  /** lanes it draws */
  lanes: number;
  /** batches posted to it so far */
  batches: number;
  visible: boolean;
}

export class InspectorWebview implements vscode.Disposable {
  readonly stats: InspectorStats = { spansReceived: 0, lanes: 0, batches: 0, visible: false };
  private seq = 0;
  /** the seq of the latest trace message posted, and of the latest one the view said it applied */
  private traceSeq = 0;
  private appliedSeq = 0;
  private ready = false;
  private run: ShownRun | undefined;
  private feed: TraceFeed | undefined;
  private sentFindings: unknown;
  private lastRunning: boolean | undefined;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private pendingSelect: number[] | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly onDisposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.onDisposeEmitter.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly state: RunState,
    /** loads the tasks of a window of the run shown (µs from its origin) from its journal */
    private readonly loadWindow: (fromUs: number, toUs: number) => Promise<void>,
  ) {
    const dist = vscode.Uri.joinPath(extensionUri, 'media', 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    panel.webview.html = this.html(panel.webview, dist);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m) => this.receive(m)),
      panel.onDidChangeViewState(() => {
        this.stats.visible = panel.visible;
        // Nothing is posted while hidden. A webview torn down meanwhile (no retainContextWhenHidden)
        // says ready again when rebuilt; one that survived catches up from this snapshot.
        if (panel.visible && this.ready) this.sendSnapshot();
      }),
      panel.onDidDispose(() => this.dispose()),
      state.onDidChange(() => this.schedule()),
    );
    this.stats.visible = panel.visible;
  }

  private html(webview: vscode.Webview, dist: vscode.Uri): string {
    return inspectorHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      nonce: randomBytes(18).toString('base64'),
    });
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Posts a notice (a line of text over the timeline). */
  notice(text: string): void {
    if (this.ready) this.post({ type: 'notice', text });
  }

  /** Selects and reveals spans, once the view holds the trace. */
  select(spans: number[]): void {
    this.pendingSelect = spans;
    this.reveal();
    this.flushSelect();
  }

  private flushSelect(): void {
    if (!this.ready || !this.pendingSelect) return;
    this.post({ type: 'select', spans: this.pendingSelect });
    this.pendingSelect = undefined;
  }

  private receive(raw: unknown): void {
    const ready = () => {
      this.ready = true;
      // A view that starts over applies nothing sent before: no piece is in flight any more.
      this.appliedSeq = this.traceSeq;
      this.sendSnapshot();
      this.flushSelect();
    };
    receiveViewMessage(
      raw,
      {
        ready,
        resync: ready,
        applied: (m) => {
          this.stats.spansReceived = m.spans;
          this.stats.lanes = m.lanes;
          this.appliedSeq = Math.max(this.appliedSeq, m.seq);
          if (this.appliedSeq >= this.traceSeq && this.feed?.behind) this.soon ??= setImmediate(() => ((this.soon = undefined), this.flush()));
        },
        openSource: (m) => void this.openSource(m.site),
        exportTrace: () => void vscode.commands.executeCommand('poolscope.exportTrace'),
        openTrace: () => void vscode.commands.executeCommand('poolscope.openTrace'),
        loadWindow: (m) =>
          void this.loadWindow(m.from, m.to).catch((e: Error) => this.post({ type: 'notice', text: `The tasks of that window could not be loaded: ${e.message}` })),
      },
      (text) => console.warn(text),
    );
  }

  private post(msg: HostMessage): void {
    const env: HostEnvelope = { v: PROTOCOL_VERSION, seq: ++this.seq, msg };
    if (msg.type === 'trace') this.traceSeq = env.seq;
    this.stats.batches++;
    void this.panel.webview.postMessage(env);
  }

  private sendSnapshot(): void {
    this.run = this.state.current;
    this.feed = this.run ? new TraceFeed(this.run.store, PANEL_ROWS) : undefined;
    this.panel.title = this.run ? `Pool Inspector — ${this.run.file.split(/[\\/]/).pop()}` : 'Pool Inspector';
    if (!this.run || !this.feed) {
      this.post({ type: 'notice', text: 'No run yet: run a task file with "Run in Pool", or open a trace.' });
      return;
    }
    this.sentFindings = this.run.findings;
    this.lastRunning = this.run.running;
    this.post({
      type: 'trace',
      patch: this.feed.snapshot(),
      findings: this.run.findings,
      running: this.run.running,
      options: { blockThresholdMs: readConfig(vscode.Uri.file(this.run.file)).blockThresholdMs, host: 'vscode', windows: this.run.journal !== undefined },
    });
    this.schedule();
  }

  /** Coalesces changes into at most one batch per BATCH_MS; keeps polling while the run goes on. */
  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, BATCH_MS);
  }

  private flush(): void {
    if (!this.ready || !this.panel.visible) return;
    const run = this.state.current;
    // A new trace needs a snapshot; the same trace shown anew (say, with its findings) only a delta.
    if (run?.store !== this.run?.store) {
      this.sendSnapshot();
      return;
    }
    this.run = run;
    if (!run || !this.feed) return;
    // A big trace goes in pieces, each after the view applied the last: at most one in flight.
    if (this.appliedSeq < this.traceSeq) {
      this.schedule();
      return;
    }
    const findingsChanged = run.findings !== this.sentFindings;
    if (this.feed.stale || findingsChanged || run.running !== this.lastRunning) {
      this.sentFindings = run.findings;
      this.lastRunning = run.running;
      this.post({ type: 'trace', patch: this.feed.delta(), findings: findingsChanged ? run.findings : undefined, running: run.running });
    }
    if (run.running || this.feed.stale) this.schedule();
  }

  /** Opens a source location, but only a file the trace names and only inside the workspace. */
  private async openSource(site: Site): Promise<void> {
    const uri = vscode.Uri.file(site.file);
    const refused = sourceRefusal(this.state.current, site.file) ?? (vscode.workspace.getWorkspaceFolder(uri) ? undefined : 'it is outside the workspace');
    if (refused) {
      console.warn(`poolscope inspector: not opening ${site.file}: ${refused}`);
      this.post({ type: 'notice', text: `Not opening ${site.file}: only files named by this trace inside the workspace open from here.` });
      return;
    }
    const pos = new vscode.Position(site.line - 1, site.col - 1);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One, preserveFocus: false });
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.soon) clearImmediate(this.soon);
    this.soon = undefined;
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.onDisposeEmitter.fire();
    this.onDisposeEmitter.dispose();
  }
}
