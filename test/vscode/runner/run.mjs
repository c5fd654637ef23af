// `npm run test:vscode`: the integration suite in a real VS Code, at the newest version the
// suite knows and at the oldest engines.vscode allows, then the end-to-end test.
// Here that VS Code is code-server (no VS Code desktop can be downloaded); `--vscode newest` or
// `--vscode oldest` runs one of them only. With `--desktop` or POOLSCOPE_VSCODE_EXECUTABLE set,
// the suite runs in VS Code desktop through @vscode/test-electron instead (the browser
// end-to-end test needs code-server).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './codeServer.mjs';

const desktop = process.argv.includes('--desktop') || !!process.env.POOLSCOPE_VSCODE_EXECUTABLE;
const passOn = process.argv.slice(2).filter((a) => a !== '--desktop');
const node = (script, args = []) => spawnSync(process.execPath, [script, ...args], { stdio: 'inherit', cwd: REPO_ROOT }).status ?? 1;

let code;
if (desktop) code = node(join(REPO_ROOT, 'test', 'vscode', 'runner', 'runInElectron.mjs'), passOn);
else {
  const runner = join(REPO_ROOT, 'test', 'vscode', 'runner', 'runInCodeServer.mjs');
  const builds = passOn.includes('--vscode')
    ? [[]]
    : [
        ['--vscode', 'newest'],
        ['--vscode', 'oldest'],
      ];
  code = 0;
  for (const b of builds) {
    code ||= node(runner, [...b, ...passOn]);
    // The untrusted-workspace suite needs a VS Code of its own, with Workspace Trust on.
    if (code === 0 && !passOn.includes('--grep')) code = node(runner, ['--untrusted', ...b, ...passOn]);
  }
}
if (code === 0 && !desktop && !passOn.includes('--grep')) {
  code = node(join(REPO_ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), ['--no-config', '--no-package', 'test/vscode/e2e/*.e2e.mjs']);
}
process.exit(code);
