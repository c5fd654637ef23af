// What `npm test` needs beyond node_modules, checked before it starts: Debian's Chromium (the
// browser and workbench tests drive it) and the libraries code-server's native modules build
// against (test/vscode/README.md). Missing packages are installed when this runs as root with
// apt-get, as in CI and containers, and the install is said; otherwise they are named with the
// command that installs them, and the tests do not start. (code-server itself is installed into
// a cache by the VS Code runner on first use.)
//   node scripts/test-prereqs.mjs [--check]   --check: only report, never install
// POOLSCOPE_DPKG_ADMINDIR reads another dpkg database (the test of this script uses it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const DEBIAN_PACKAGES = ['chromium', 'libkrb5-dev', 'libsecret-1-dev', 'libx11-dev', 'libxkbfile-dev', 'ripgrep'];
const CHROMIUM = '/usr/bin/chromium';

function installed(pkg) {
  const admin = process.env.POOLSCOPE_DPKG_ADMINDIR;
  const r = spawnSync('dpkg-query', [...(admin ? [`--admindir=${admin}`] : []), '-W', '-f=${db:Status-Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'installed';
}

function main() {
  if (spawnSync('dpkg-query', ['--version']).error) {
    if (existsSync(CHROMIUM)) return 0;
    console.error(`test prerequisites: no ${CHROMIUM} and no dpkg to install it with; install Chromium at ${CHROMIUM} and the build libraries listed in test/vscode/README.md`);
    return 1;
  }
  const missing = DEBIAN_PACKAGES.filter((p) => !installed(p));
  if (missing.length === 0) return 0;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const root = process.getuid?.() === 0;
  if (process.argv.includes('--check') || !root) {
    console.error(`test prerequisites: missing Debian packages: ${missing.join(', ')}.\nInstall them first (as root): apt-get update && ${command}`);
    return 1;
  }
  console.log(`test prerequisites: installing the missing Debian packages ${missing.join(', ')} (apt-get, as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...missing],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`test prerequisites: apt-get ${args[0]} failed (exit ${r.status ?? r.signal}); install them by hand: ${command}`);
      return 1;
    }
  }
  return 0;
}

process.exitCode = main();
