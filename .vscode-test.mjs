// For @vscode/test-cli on a desktop with VS Code (`npx vscode-test`): the same integration suite
// that `npm run test:vscode` runs in code-server. Build first (`npm run build`).
export default {
  label: 'integration',
  files: 'out/test/vscode/suite/*.test.js',
  version: '1.90.0',
  workspaceFolder: '.',
  launchArgs: ['--disable-extensions'],
  mocha: { ui: 'bdd', timeout: 60000 },
};
