// Which Python runs a .py file: the `poolscope.python` setting; else the interpreter the Python
// extension (ms-python.python) has selected for the file, when that extension is installed;
// else `python3` on PATH. The Python extension is asked through its public API only, and any
// failure of it (absent, not activating, an API of another shape) falls through to PATH.
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';

export interface PythonChoice {
  /** the command or path to spawn */
  command: string;
  /** where it came from, for the output channel */
  from: string;
}

const PYTHON_EXTENSION = 'ms-python.python';
const ON_PATH = 'python3';

/** The parts of ms-python.python's exported API this reads (its `environments` API). */
interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string } | undefined;
    resolveEnvironment(env: { id: string; path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
  };
}

export async function pythonFor(resource: vscode.Uri, note: (text: string) => void): Promise<PythonChoice> {
  const configured = vscode.workspace.getConfiguration('poolscope', resource).get<string>('python')?.trim();
  if (configured) return { command: resolveSetting(configured, resource), from: 'the poolscope.python setting' };
  const selected = await fromPythonExtension(resource, note);
  if (selected) return { command: selected, from: 'the Python extension' };
  return { command: ON_PATH, from: 'PATH' };
}

/** A relative path in the setting is relative to the file's workspace folder; a bare name is looked up on PATH. */
function resolveSetting(value: string, resource: vscode.Uri): string {
  const home = process.env.HOME;
  if (home && (value === '~' || value.startsWith('~/'))) return join(home, value.slice(1));
  if (isAbsolute(value) || !value.includes('/')) return value;
  const folder = vscode.workspace.getWorkspaceFolder(resource);
  return folder ? join(folder.uri.fsPath, value) : value;
}

async function fromPythonExtension(resource: vscode.Uri, note: (text: string) => void): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
  if (!ext) return undefined;
  try {
    const api = ext.isActive ? ext.exports : await ext.activate();
    const environments = api?.environments;
    if (!environments) return undefined;
    const active = environments.getActiveEnvironmentPath(resource);
    if (!active) return undefined;
    const resolved = await environments.resolveEnvironment(active);
    return resolved?.executable?.uri?.fsPath ?? active.path;
  } catch (e) {
    note(`The Python extension could not tell its selected interpreter (${e instanceof Error ? e.message : String(e)}); using ${ON_PATH} from PATH`);
    return undefined;
  }
}
