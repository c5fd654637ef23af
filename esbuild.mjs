// Builds every bundle. Each front end is its own entry point, as the design card asks:
// the runtime side (ESM, code-split so the harness and user task files share one runtime
// instance), the extension (CommonJS, `vscode` external) and the webview (browser IIFE).
import * as esbuild from 'esbuild';
import { rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
// A release build (npm run package) leaves out the test entry points and the hooks tests read
// (see src/testHooks.d.ts); esbuild drops the code behind a false flag.
const release = process.argv.includes('--release');
const common = {
  bundle: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  define: { POOLSCOPE_TEST_HOOKS: String(!release) },
};
const node = { ...common, platform: 'node', target: 'node20', external: ['esbuild'] };
const nodeEsm = {
  ...node,
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  format: 'esm',
  // ESM output that still may `require` Node built-ins from CommonJS dependencies.
  banner: { js: "import { createRequire as __psCreateRequire } from 'node:module'; const require = __psCreateRequire(import.meta.url);" },
};

const builds = [
  {
    ...nodeEsm,
    entryPoints: {
      runtime: 'src/runtime/index.ts',
      'main-worker': 'src/runtime/main/mainThread.ts',
      'pool-worker': 'src/runtime/dispatch/thread/poolWorkerThread.ts',
      'process-proxy': 'src/runtime/dispatch/process/processProxy.ts',
      'process-worker': 'src/runtime/dispatch/process/processWorker.ts',
      cli: 'src/cli/main.ts',
    },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
  },
  // The host API for the runtime conformance tests (test/runtime): built next to the worker
  // scripts it starts, so the tests exercise the same dist/ files the CLI does.
  { ...nodeEsm, entryPoints: { 'test-host': 'test/runtime/host.ts' }, test: true },
  // The VS Code extension: CommonJS for the extension host; `vscode` is provided by the host,
  // esbuild compiles task files at run time.
  {
    ...node,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    format: 'cjs',
    external: ['vscode', 'esbuild'],
    // Drops the code behind a false POOLSCOPE_TEST_HOOKS.
    minifySyntax: release,
    // The runtime finds its worker scripts through __dirname here; its import.meta fallback is for the ESM build.
    logOverride: { 'empty-import-meta': 'silent' },
  },
  // The integration suite, loaded by VS Code in the extension host; one CommonJS file per
  // test so mocha can add them one by one.
  {
    ...node,
    entryPoints: ['test/vscode/suite/*.ts'],
    outdir: 'out/test/vscode/suite',
    format: 'cjs',
    external: ['vscode', 'esbuild', 'mocha'],
    test: true,
  },
  // The inspector view (runs in the webview and in the standalone HTML page).
  {
    ...common,
    entryPoints: [
      { in: 'src/webview/main.ts', out: 'webview' },
      { in: 'media/inspector.css', out: 'webview' },
    ],
    outdir: 'media/dist',
    format: 'iife',
    platform: 'browser',
    target: 'chrome114',
    minify: true,
  },
];

const wanted = builds.filter((b) => !(release && b.test)).map(({ test, ...b }) => b);
if (watch) {
  for (const b of wanted) await (await esbuild.context(b)).watch();
} else {
  // Chunk names carry content hashes: clear the old ones so dist/ holds one build.
  rmSync('dist/chunks', { recursive: true, force: true });
  await Promise.all(wanted.map((b) => esbuild.build(b)));
}
