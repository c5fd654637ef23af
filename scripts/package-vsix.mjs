// `npm run package`: a clean build and a .vsix for this platform (it carries esbuild's native
// binary, which task files are compiled with at run time), built with @vscode/vsce.
//   node scripts/package-vsix.mjs [--out file.vsix]
// The project names no public repository, so the README's images stay relative links: the
// .vsix carries them (media/*.png), and VS Code shows an installed extension's README from it.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

// Stale code-split chunks of earlier builds would otherwise ride along.
rmSync(join(root, 'dist', 'chunks'), { recursive: true, force: true });
run(process.execPath, ['esbuild.mjs', '--release']);
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const target = `${process.platform}-${process.arch}`;
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 ? resolve(process.argv[outAt + 1]) : `poolscope-${version}-${target}.vsix`;
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
run(process.execPath, [vsce, 'package', '--target', target, '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out]);
// The release build left out the test hooks the tests read: put the ordinary build back.
run(process.execPath, ['esbuild.mjs']);
console.log(`Install it with: code --install-extension ${out}`);
