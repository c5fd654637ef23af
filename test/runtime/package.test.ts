// `npm run package` from this checkout: the .vsix is built, holds every file the extension and
// its CLI need at run time, and the CLI unpacked from it runs a task file on its own (worker
// scripts, code-split chunks, esbuild's binary for this platform and the inspector's assets
// all coming from the package).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { EXAMPLES, ROOT } from './helpers';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)));
}

/** The files a script loads by relative import, and what those load, from `entry` on. */
function importClosure(root: string, entry: string, into = new Set<string>()): Set<string> {
  if (into.has(entry)) return into;
  into.add(entry);
  const file = join(root, entry);
  if (!existsSync(file)) return into;
  for (const m of readFileSync(file, 'utf8').matchAll(/(?:from\s*|import\s*\(\s*)["'](\.\.?\/[^"']+)["']/g)) {
    importClosure(root, relative(root, resolve(dirname(file), m[1])), into);
  }
  return into;
}

const UNZIP = `
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        path = z.extract(info, sys.argv[2])
        mode = (info.external_attr >> 16) & 0o777
        if mode:
            os.chmod(path, mode)
`;

describe('npm run package', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'poolscope-vsix-'));
  const ext = join(dir, 'extension');
  let files: Set<string>;

  before(() => {
    const vsix = join(dir, 'poolscope.vsix');
    const r = spawnSync(process.execPath, ['scripts/package-vsix.mjs', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}${r.stderr}`);
    // Unpacked as VS Code installs it: with each file's mode as the .vsix records it (esbuild's
    // binary must stay executable).
    const unzip = spawnSync('python3', ['-c', UNZIP, vsix, dir], { encoding: 'utf8' });
    assert.equal(unzip.status, 0, unzip.stderr);
    files = new Set(filesUnder(ext));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("holds the manifest's entry points, every script they start or import, the inspector, the Python tracer and esbuild for this platform", () => {
    const manifest = JSON.parse(readFileSync(join(ext, 'package.json'), 'utf8'));
    const needed = new Set<string>([manifest.main, ...Object.values<string>(manifest.bin)].map((p) => relative('.', p)));
    // The worker scripts the runtime starts by name (the host's spawnThread, and any others),
    // and what the packaged bundles import: read from the package's own (release) build.
    for (const entry of [...needed]) {
      if (!existsSync(join(ext, entry))) continue;
      for (const m of readFileSync(join(ext, entry), 'utf8').matchAll(/["']([\w-]+\.mjs)["']/g)) if (existsSync(join(ROOT, 'dist', m[1]))) needed.add(`dist/${m[1]}`);
    }
    for (const entry of [...needed]) for (const f of importClosure(ext, entry)) needed.add(f);
    for (const f of filesUnder(join(ROOT, 'media', 'dist'))) if (!f.endsWith('.map')) needed.add(`media/dist/${f}`);
    for (const f of filesUnder(join(ROOT, 'python', 'poolscope_tracer'))) if (f.endsWith('.py')) needed.add(`python/poolscope_tracer/${f}`);
    needed.add('node_modules/esbuild/lib/main.js');
    needed.add(`node_modules/@esbuild/${process.platform}-${process.arch}/bin/esbuild`);
    for (const img of readFileSync(join(ROOT, 'README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)) needed.add(img[1]);
    assert.ok(
      [...needed].some((f) => f.startsWith('dist/chunks/')),
      'no chunk was found: the import scan is broken',
    );
    assert.ok(needed.has('dist/main-worker.mjs') && needed.has('dist/pool-worker.mjs'), 'the worker scripts were not found: the scan is broken');
    const missing = [...needed].filter((f) => !files.has(f));
    assert.deepEqual(missing, [], `the .vsix lacks files needed at run time (see .vscodeignore)`);
  });

  it("carries none of the hooks the tests read: the inspector's probe, the inspectorStats command", () => {
    assert.ok(!readFileSync(join(ext, 'dist', 'extension.js'), 'utf8').includes('poolscope.inspectorStats'), 'the extension registers inspectorStats');
    assert.ok(!readFileSync(join(ext, 'media', 'dist', 'webview.js'), 'utf8').includes('poolscopeProbe'), 'the inspector sets window.poolscopeProbe');
  });

  it("keeps the README's images as links into the package, not to a repository", () => {
    const readme = readFileSync(join(ext, 'readme.md'), 'utf8');
    assert.match(readme, /!\[[^\]]*\]\(media\/inspector-callback-blocks\.png\)/);
  });

  it('the CLI unpacked from it runs a task file with a pool and writes the HTML report, using only the package', () => {
    const html = join(dir, 'report.html');
    const r = spawnSync(process.execPath, [join(ext, 'dist', 'cli.mjs'), 'run', join(EXAMPLES, 'apply-callback.ts'), '--html', html], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Main\s+│ results 1,4,9,16$/m);
    assert.match(readFileSync(html, 'utf8'), /<script/);
  });
});
