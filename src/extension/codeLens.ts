// "Run in Pool" above a task file's exported `main`, and above a Python program's
// `if __name__ == "__main__":`.
import * as vscode from 'vscode';

export const RUN_COMMAND = 'poolscope.run';
export const RUNNABLE_LANGUAGES = ['typescript', 'javascript', 'python'];

/** `export function main`, `export async function main`, `export const main =` (group 1 or 2: `main`) */
const EXPORTED_MAIN = /^\s*export\s+(?:(?:async\s+)?function\s*\*?\s*(main)\b|(?:const|let|var)\s+(main)\b)/;
/** `if __name__ == "__main__":`, either way round, either quotes (group 1: from `if` to the colon) */
const PYTHON_MAIN = /^(if\s+(?:__name__\s*==\s*(['"])__main__\2|(['"])__main__\3\s*==\s*__name__)\s*:)/;

export class RunMainCodeLens implements vscode.CodeLensProvider {
  // Running a file executes its code: no lens offers it until the workspace is trusted.
  readonly onDidChangeCodeLenses = vscode.workspace.onDidGrantWorkspaceTrust;

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!vscode.workspace.isTrusted) return [];
    const python = doc.languageId === 'python';
    for (let i = 0; i < doc.lineCount; i++) {
      const text = doc.lineAt(i).text;
      const range = python ? pythonMain(text, i) : exportedMain(text, i);
      if (!range) continue;
      return [
        new vscode.CodeLens(range, {
          title: '$(play) Run in Pool',
          tooltip: python ? 'Run this program under the Poolscope tracer and see its pools' : 'Run this file on the Poolscope pool and trace it',
          command: RUN_COMMAND,
          arguments: [doc.uri],
        }),
      ];
    }
    return [];
  }
}

function exportedMain(text: string, line: number): vscode.Range | undefined {
  const m = EXPORTED_MAIN.exec(text);
  if (!m) return undefined;
  const col = m[0].length - 4;
  return new vscode.Range(line, col, line, col + 4);
}

function pythonMain(text: string, line: number): vscode.Range | undefined {
  const m = PYTHON_MAIN.exec(text);
  return m ? new vscode.Range(line, 0, line, m[1].length) : undefined;
}
