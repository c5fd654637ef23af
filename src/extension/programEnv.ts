// The environment a program run from the editor sees: the extension host's, less what belongs
// to the editor's own machinery (its IPC handles and process switches, its crash reporter's
// and telemetry's settings, the loader options of the extension host), which the same program
// started from a terminal would not have.
const EDITOR_ONLY = /^(VSCODE_|ELECTRON_|CHROME_|APPLICATION_INSIGHTS|CRASHPAD_|NODE_OPTIONS$)/i;

export function programEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !EDITOR_ONLY.test(k)));
}
