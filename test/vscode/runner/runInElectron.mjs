// The desktop route: the same suite in VS Code (Electron) through @vscode/test-electron, which
// downloads VS Code unless POOLSCOPE_VSCODE_EXECUTABLE names an installed one. Used by
// `npm run test:vscode -- --desktop`; machines that cannot download VS Code use code-server.
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from './codeServer.mjs';

try {
  await runTests({
    extensionDevelopmentPath: REPO_ROOT,
    extensionTestsPath: join(REPO_ROOT, 'out', 'test', 'vscode', 'suite', 'index.js'),
    vscodeExecutablePath: process.env.POOLSCOPE_VSCODE_EXECUTABLE || undefined,
    launchArgs: [REPO_ROOT, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
}
