// Shared by the integration tests: the extension's API, files to run, settings, waiting.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import type { PoolscopeApi } from '../../../src/extension/api';
import type { RunSummary } from '../../../src/extension/runController';

/** out/test/vscode/suite -> the repository root (also the workspace folder the runner opens) */
export const REPO = resolve(__dirname, '..', '..', '..', '..');

export const example = (name: string) => vscode.Uri.file(join(REPO, 'examples', name));
export const fixture = (name: string) => vscode.Uri.file(join(REPO, 'test', 'vscode', 'fixtures', name));
export const pythonExample = (name: string) => vscode.Uri.file(join(REPO, 'examples', 'python', name));

export async function poolscope(): Promise<PoolscopeApi> {
  const ext = vscode.extensions.getExtension<PoolscopeApi>('poolscope.poolscope');
  if (!ext) throw new Error('the poolscope extension is not loaded');
  return ext.activate();
}

export function runInPool(uri?: vscode.Uri): Thenable<RunSummary | undefined> {
  return vscode.commands.executeCommand<RunSummary | undefined>('poolscope.run', uri);
}

export async function setting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('poolscope').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Puts every setting the tests touch back to its default. */
export async function resetSettings(): Promise<void> {
  for (const key of ['workers', 'blockThresholdMs', 'runTimeoutMs', 'findings', 'python', 'keepSpans']) await setting(key, undefined);
  // The inspector panel is tested on its own; other tests need not pay for opening it.
  await setting('openInspectorOnRun', false);
}

export function poolscopeDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'poolscope');
}

type Maybe<T> = T | undefined | false;

export async function waitFor<T>(what: string | (() => string), probe: () => Maybe<T> | Promise<Maybe<T>>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until a run of `api` is going on and its main thread has a lane. */
export function whenRunning(api: PoolscopeApi): Promise<unknown> {
  return waitFor('the run to be going', () => api.state.current?.running && api.state.current.store.lanes.length > 0);
}

/** A measured figure, printed among the reporter's lines (console.log does not reach the runner's terminal). */
export function measured(text: string): void {
  Mocha.reporters.Base.consoleLog(`      ⏱ ${text}`);
}

/** Whether process `pid` has ended (a zombie has: only its parent has yet to reap it). */
export function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
