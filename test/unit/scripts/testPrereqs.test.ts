// `npm test` on a machine without Debian's Chromium: scripts/test-prereqs.mjs (its pretest step)
// names what is missing and how to install it, or installs it as root, before any test starts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../../scripts/test-prereqs.mjs');
const check = (env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [SCRIPT, '--check'], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('test prerequisites (npm pretest)', () => {
  it('passes quietly where every package is installed', () => {
    const r = check();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout + r.stderr, '');
  });

  it('on a machine whose dpkg database lacks chromium, names it and the command that installs it, and stops', () => {
    // This machine's own dpkg database, less chromium's entry: what a bare machine looks like to dpkg.
    const admin = mkdtempSync(join(tmpdir(), 'poolscope-dpkg-'));
    try {
      const entries = readFileSync('/var/lib/dpkg/status', 'utf8').split('\n\n');
      writeFileSync(join(admin, 'status'), entries.filter((e) => !e.startsWith('Package: chromium\n')).join('\n\n'));
      const r = check({ POOLSCOPE_DPKG_ADMINDIR: admin });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^test prerequisites: missing Debian packages: chromium\.$/m);
      assert.match(r.stderr, /apt-get update && apt-get install -y --no-install-recommends chromium$/m);
    } finally {
      rmSync(admin, { recursive: true, force: true });
    }
  });
});
