// Starts a real VS Code (code-server's server build with its web workbench) and a headless
// Chromium looking at it. Shared by the integration-suite runner and the end-to-end test.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../chromium.mjs';
import { VSCODE_BUILDS, ensureCodeServer } from './codeServerCache.mjs';

export const REPO_ROOT = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');

/** A fresh folder for one run: the server's user data, extensions, XDG folders and HOME all live here. */
export function makeRunDir(prefix = 'poolscope-vscode-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const d of ['user-data', 'extensions', 'config', 'data', 'cache', 'home']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'config.yaml'), '');
  return dir;
}

/** Every descendant of pid, deepest first, read from /proc so nothing is killed by name. */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      walk(c);
      out.push(c);
    }
  };
  walk(pid);
  return out;
}

function killPids(pids) {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Starts code-server (the VS Code `build` of codeServerCache.mjs) on a free loopback port. `log`
 * receives the server's output lines. Resolves once it listens; `stop()` kills the server and
 * its extension host by PID. `workspaceTrust`: keep VS Code's Workspace Trust on, with folders
 * untrusted until the user says otherwise and no prompt asking (the folder opens in Restricted Mode).
 */
export async function startCodeServer(runDir, { log = () => {}, workspaceTrust = false, build = VSCODE_BUILDS.newest } = {}) {
  const p = ensureCodeServer(build);
  const env = { ...process.env };
  // PORT overrides --bind-addr in code-server.
  delete env.PORT;
  for (const k of Object.keys(env)) if (/^(npm_|VSCODE_)/i.test(k)) delete env[k];
  Object.assign(env, {
    PATH: `${join(p.nodeDir, 'bin')}:${process.env.PATH}`,
    HOME: join(runDir, 'home'),
    XDG_CONFIG_HOME: join(runDir, 'config'),
    XDG_DATA_HOME: join(runDir, 'data'),
    XDG_CACHE_HOME: join(runDir, 'cache'),
  });
  const args = [
    p.serverEntry,
    '--auth',
    'none',
    '--bind-addr',
    '127.0.0.1:0',
    '--user-data-dir',
    join(runDir, 'user-data'),
    '--extensions-dir',
    join(runDir, 'extensions'),
    '--config',
    join(runDir, 'config.yaml'),
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--ignore-last-opened',
    // A built workbench only honours the test `payload` query with the smoke-test driver enabled.
    ...(build.smokeTestDriverBuiltIn ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
  ];
  if (workspaceTrust) {
    mkdirSync(join(runDir, 'user-data', 'User'), { recursive: true });
    const settings = { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'never' };
    writeFileSync(join(runDir, 'user-data', 'User', 'settings.json'), JSON.stringify(settings));
  }
  const server = spawn(p.nodeBin, args, { env, cwd: runDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`code-server did not start listening within 60 s:\n${seen}`)), 60_000);
    const onData = (chunk) => {
      const text = chunk.toString();
      seen += text;
      for (const line of text.split('\n')) if (line.trim()) log(line);
      const m = /HTTP server listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code ?? sig}) before listening:\n${seen}`));
    });
  });
  return {
    port,
    pid: server.pid,
    origin: `http://127.0.0.1:${port}`,
    /** A URI the workbench resolves on this server's file system. */
    remoteUri: (absPath) => `vscode-remote://127.0.0.1:${port}${absPath}`,
    stop() {
      killPids([...descendants(server.pid), server.pid]);
    },
  };
}

/**
 * The workbench URL opening `folder`, with the extension under development loaded from the
 * repo and, optionally, the integration suite to run in its extension host.
 */
export function workbenchUrl(server, { folder, extensionTestsPath, environment = {} }) {
  const payload = [['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', server.remoteUri(extensionTestsPath)]);
  payload.push(['extensionEnvironment', JSON.stringify(environment)]);
  const q = new URLSearchParams({ folder, payload: JSON.stringify(payload) });
  return `${server.origin}/?${q}`;
}

/** Debian's Chromium, headless, with a fresh profile (playwright makes a temporary one); `close()` kills it by PID. */
export async function launchBrowser() {
  const browserServer = await chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const browserPid = browserServer.process().pid;
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  return {
    context,
    async close() {
      const pids = browserPid ? [...descendants(browserPid), browserPid] : [];
      await Promise.race([
        browser
          .close()
          .then(() => browserServer.close())
          .catch(() => {}),
        new Promise((r) => setTimeout(r, 5000)),
      ]);
      killPids(pids);
    },
  };
}

export function removeRunDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}
