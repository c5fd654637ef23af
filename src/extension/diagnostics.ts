// Findings as editor diagnostics: one collection, each finding on the name of the function it
// is about, with the rule id as code and the places it involves as related information.
import * as vscode from 'vscode';
import type { Finding, Severity } from '../analysis/types';
import type { Site } from '../trace/model';
import { INSPECTOR_COMMANDS } from './inspectorPanel';
import { nameRange } from './nameRange';

export const DIAGNOSTIC_SOURCE = 'poolscope';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

interface Placed {
  finding: Finding;
  diagnostic: vscode.Diagnostic;
}

async function documentFor(uri: vscode.Uri): Promise<vscode.TextDocument | undefined> {
  try {
    return await vscode.workspace.openTextDocument(uri);
  } catch {
    return undefined; // a file that vanished since the run: the diagnostic goes on its line start
  }
}

export class FindingDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  /** What each run file's last run put where, so a rerun replaces exactly that. */
  private readonly byRunFile = new Map<string, Map<string, Placed[]>>();

  /** Replaces the diagnostics of the previous run of `runFile` with `findings`. */
  async show(runFile: string, findings: readonly Finding[]): Promise<void> {
    const placed = new Map<string, Placed[]>();
    for (const finding of findings) {
      const site = finding.site ?? { file: runFile, line: 1, col: 1 };
      const diagnostic = new vscode.Diagnostic(await this.rangeOf(site), finding.message, SEVERITY[finding.severity]);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = finding.rule;
      diagnostic.relatedInformation = await Promise.all(
        finding.related.map(async (r) => {
          const where = r.site ?? site;
          return new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(where.file), await this.rangeOf(where)), r.message);
        }),
      );
      const key = vscode.Uri.file(site.file).toString();
      placed.set(key, [...(placed.get(key) ?? []), { finding, diagnostic }]);
    }
    this.clear(runFile);
    this.byRunFile.set(runFile, placed);
    for (const key of placed.keys()) this.refresh(vscode.Uri.parse(key));
  }

  /** Removes what the last run of `runFile` showed. */
  private clear(runFile: string): void {
    const old = this.byRunFile.get(runFile);
    if (!old) return;
    this.byRunFile.delete(runFile);
    for (const key of old.keys()) this.refresh(vscode.Uri.parse(key));
  }

  /** The finding behind a diagnostic VS Code hands back (a copy, so matched by place and text). */
  findingFor(uri: vscode.Uri, d: vscode.Diagnostic): Finding | undefined {
    if (d.source !== DIAGNOSTIC_SOURCE) return undefined;
    for (const perUri of this.byRunFile.values()) {
      for (const p of perUri.get(uri.toString()) ?? []) {
        if (p.diagnostic.message === d.message && p.diagnostic.code === d.code && p.diagnostic.range.isEqual(d.range)) return p.finding;
      }
    }
    return undefined;
  }

  dispose(): void {
    this.collection.dispose();
  }

  /** Several run files may each have put diagnostics in one source file. */
  private refresh(uri: vscode.Uri): void {
    const key = uri.toString();
    const all: vscode.Diagnostic[] = [];
    for (const perUri of this.byRunFile.values()) for (const p of perUri.get(key) ?? []) all.push(p.diagnostic);
    this.collection.set(uri, all.length ? all : undefined);
  }

  private async rangeOf(site: Site): Promise<vscode.Range> {
    const line0 = Math.max(site.line - 1, 0);
    const doc = await documentFor(vscode.Uri.file(site.file));
    if (!doc || line0 >= doc.lineCount) return new vscode.Range(line0, 0, line0, 1);
    const [start, end] = nameRange(doc.lineAt(line0).text, site.col - 1);
    return new vscode.Range(line0, start, line0, end);
  }
}

/** "Show in Pool Inspector" on each poolscope diagnostic: marks the finding's spans in the inspector. */
export class ShowInInspectorActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: FindingDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      const finding = this.diagnostics.findingFor(doc.uri, d);
      if (!finding) continue;
      const action = new vscode.CodeAction('Show in Pool Inspector', vscode.CodeActionKind.QuickFix);
      action.diagnostics = [d];
      action.command = { title: 'Show in Pool Inspector', command: INSPECTOR_COMMANDS.showIn, arguments: [finding.spans] };
      actions.push(action);
    }
    return actions;
  }
}
