// "Run in Pool" above a task file's exported `main`.
import * as vscode from 'vscode';

export const RUN_COMMAND = 'poolscope.run';
export const TASK_FILE_LANGUAGES = ['typescript', 'javascript'];

/** `export function main`, `export async function main`, `export const main =` */
const EXPORTED_MAIN = /^\s*export\s+(?:(?:async\s+)?function\s*\*?\s*(main)\b|(?:const|let|var)\s+(main)\b)/;

export class RunMainCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    for (let i = 0; i < doc.lineCount; i++) {
      const text = doc.lineAt(i).text;
      const m = EXPORTED_MAIN.exec(text);
      if (!m) continue;
      const col = m[0].length - 4;
      return [
        new vscode.CodeLens(new vscode.Range(i, col, i, col + 4), {
          title: '$(play) Run in Pool',
          tooltip: 'Run this file on the Poolscope pool and trace it',
          command: RUN_COMMAND,
          arguments: [doc.uri],
        }),
      ];
    }
    return [];
  }
}
