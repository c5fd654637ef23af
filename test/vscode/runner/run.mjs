// `npm run test:vscode`: the integration suite in a real VS Code, then the end-to-end test.
// Here that VS Code is code-server (no VS Code desktop can be downloaded); with `--desktop`
// or POOLSCOPE_VSCODE_EXECUTABLE set, the suite runs in VS Code desktop through
// @vscode/test-electron instead (the browser end-to-end test needs code-server).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './codeServer.mjs';

const desktop = process.argv.includes('--desktop') || !!process.env.POOLSCOPE_VSCODE_EXECUTABLE;
const passOn = process.argv.slice(2).filter((a) => a !== '--desktop');
const node = (script, args = []) => spawnSync(process.execPath, [script, ...args], { stdio: 'inherit', cwd: REPO_ROOT }).status ?? 1;

const runner = join(REPO_ROOT, 'test', 'vscode', 'runner', desktop ? 'runInElectron.mjs' : 'runInCodeServer.mjs');
let code = node(runner, passOn);
// The untrusted-workspace suite needs a VS Code of its own, with Workspace Trust on.
if (code === 0 && !desktop && !passOn.includes('--grep')) code = node(runner, ['--untrusted']);
if (code === 0 && !desktop && !passOn.includes('--grep')) {
  code = node(join(REPO_ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'), ['--no-config', '--no-package', 'test/vscode/e2e/*.e2e.mjs']);
}
process.exit(code);
