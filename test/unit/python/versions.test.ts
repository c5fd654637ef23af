// The tracer's unittest suite under every CPython version the README claims: from the minimum
// the launcher enforces (python/poolscope_tracer/__main__.py) to NEWEST. An interpreter is
// found as `python3.X` on PATH, else in pyenv's versions folder; a version not installed is
// skipped with a notice in the report, never silently.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const LAUNCHER = resolve(ROOT, 'python/poolscope_tracer/__main__.py');
/** The newest CPython the README claims; raise it with the README once its suite passes there. */
const NEWEST = 13;

function minimum(): number {
  const m = /^MINIMUM = \(3, (\d+)\)$/m.exec(readFileSync(LAUNCHER, 'utf8'));
  if (!m) throw new Error(`${LAUNCHER} has no MINIMUM = (3, N) line`);
  return Number(m[1]);
}

/** The interpreter of CPython 3.`minor`, if this machine has one. */
function interpreter(minor: number): string | undefined {
  const version = `3.${minor}`;
  const isIt = (cmd: string) => {
    const r = spawnSync(cmd, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    return r.status === 0 && r.stdout.trim() === version;
  };
  // A pyenv shim of another version exits non-zero, so a command that answers is the real one.
  if (isIt(`python${version}`)) return `python${version}`;
  const versions = join(process.env.PYENV_ROOT ?? join(homedir(), '.pyenv'), 'versions');
  if (!existsSync(versions)) return undefined;
  const found = readdirSync(versions)
    .filter((d) => d === version || d.startsWith(`${version}.`))
    .map((d) => join(versions, d, 'bin', `python${version}`))
    .filter((p) => existsSync(p) && isIt(p));
  return found.at(-1);
}

function notInstalled(this: Mocha.Context, version: string): void {
  console.log(`      notice: CPython ${version} is not installed here (not python${version} on PATH nor in pyenv): skipped "${this.test?.title}"`);
  this.skip();
}

describe('Python tracer on every supported version', function () {
  this.timeout(600_000);
  const first = minimum();

  for (let minor = first; minor <= NEWEST; minor++) {
    const version = `3.${minor}`;
    it(`passes its unittest suite with CPython ${version}`, function () {
      const python = interpreter(minor);
      if (!python) return notInstalled.call(this, version);
      const r = spawnSync(python, ['-m', 'unittest', 'discover', '-s', 'python/tests'], { cwd: ROOT, encoding: 'utf8' });
      assert.equal(r.status, 0, `python/tests failed under ${python}:\n${r.stderr}`);
      assert.match(r.stderr, /^OK/m);
    });
  }

  it(`refuses CPython 3.${first - 1} with a clear message`, function () {
    const python = interpreter(first - 1);
    if (!python) return notInstalled.call(this, `3.${first - 1}`);
    const r = spawnSync(python, [LAUNCHER, 'prog.py'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`^poolscope: Python 3\\.${first - 1} is too old to trace: .*Python 3\\.${first} or later\n$`));
  });
});
