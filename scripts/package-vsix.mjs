// `npm run package`: a clean build and a .vsix for this platform (it carries esbuild's native
// binary, which task files are compiled with at run time), built with @vscode/vsce.
//   node scripts/package-vsix.mjs [--out file.vsix]
// The project names no public repository, so the README's images stay relative links: the
// .vsix carries them (media/*.png), and VS Code shows an installed extension's README from it.
// vsce packs a staging folder holding what .vscodeignore lets through and, as its only
// node_modules, esbuild (every other dependency is bundled into dist/): vsce lists a folder's
// dependencies with `npm list`, which in this checkout would also judge the dev tools, and fails
// on a node_modules shared between checkouts.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args, cwd = root) => {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

// Stale code-split chunks of earlier builds would otherwise ride along.
rmSync(join(root, 'dist', 'chunks'), { recursive: true, force: true });
run(process.execPath, ['esbuild.mjs', '--release']);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = `${process.platform}-${process.arch}`;
const outAt = process.argv.indexOf('--out');
const out = resolve(root, outAt > 0 ? process.argv[outAt + 1] : `poolscope-${manifest.version}-${target}.vsix`);

const stage = mkdtempSync(join(tmpdir(), 'poolscope-vsix-'));
try {
  for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore', 'dist', 'media', 'python']) {
    if (existsSync(join(root, f))) cpSync(join(root, f), join(stage, f), { recursive: true, dereference: true });
  }
  for (const pkg of ['esbuild', `@esbuild/${target}`]) cpSync(join(root, 'node_modules', pkg), join(stage, 'node_modules', pkg), { recursive: true, dereference: true });
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ ...manifest, dependencies: { esbuild: manifest.dependencies.esbuild } }, null, 2));
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  run(process.execPath, [vsce, 'package', '--target', target, '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], stage);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
// The release build left out the test hooks the tests read: put the ordinary build back.
run(process.execPath, ['esbuild.mjs']);
console.log(`Install it with: code --install-extension ${out}`);
