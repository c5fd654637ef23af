// Compiles a task file (JS or TS, ESM or CommonJS) into one ESM bundle with a source map,
// so TypeScript runs as is and stack traces point at the user's own lines. Runs in the host:
// compiling runs no user code, and a syntax error is reported before any thread starts.
import * as esbuild from 'esbuild';
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Site } from '../../trace/model';
import { makeRunFolder } from '../host/runFolders';
import { API_GLOBAL } from '../api/apiGlobal';
import { TAG_BANNER } from '../sites/siteTag';
import { bundleEntry } from './bundleExports';

export const TASK_FILE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

export interface Compiled {
  bundle: string;
}

export class CompileError extends Error {
  constructor(
    message: string,
    readonly site?: Site,
  ) {
    super(message);
  }
}

const poolscopeImport: esbuild.Plugin = {
  name: 'poolscope-import',
  setup(build) {
    build.onResolve({ filter: /^poolscope$/ }, () => ({ path: 'poolscope', namespace: 'poolscope' }));
    build.onLoad({ filter: /.*/, namespace: 'poolscope' }, () => ({
      contents: `module.exports = globalThis[Symbol.for(${JSON.stringify(API_GLOBAL)})];`,
      loader: 'js',
    }));
  },
};

export async function compileTaskFile(file: string): Promise<Compiled> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new CompileError('no such file', { file: abs, line: 1, col: 1 });
  if (statSync(abs).isDirectory()) throw new CompileError('is a folder, not a task file', { file: abs, line: 1, col: 1 });
  if (!statSync(abs).isFile()) throw new CompileError('is not a file', { file: abs, line: 1, col: 1 });
  if (!TASK_FILE_EXTENSIONS.some((e) => abs.endsWith(e))) {
    throw new CompileError(`a task file must be one of ${TASK_FILE_EXTENSIONS.join(' ')}`, { file: abs, line: 1, col: 1 });
  }
  const outdir = makeRunFolder('js');
  const bundle = join(outdir, 'task.mjs');
  const result = await esbuild
    .build({
      stdin: { contents: bundleEntry(abs), resolveDir: dirname(abs), sourcefile: '<poolscope task entry>', loader: 'js' },
      absWorkingDir: dirname(abs),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: bundle,
      sourcemap: 'linked',
      sourcesContent: false,
      // Bundling renames functions whose names clash between modules (\`scale\` -> \`scale2\`);
      // lanes, findings and messages must show the names the user wrote.
      keepNames: true,
      logLevel: 'silent',
      plugins: [poolscopeImport],
      // Bundled CommonJS packages may still require Node built-ins; calls tagged later (tagCalls.ts) need the tag function.
      banner: { js: `import { createRequire as __psRequire } from 'node:module'; const require = __psRequire(import.meta.url); ${TAG_BANNER}` },
    })
    .catch((e: esbuild.BuildFailure) => e);
  if (result instanceof Error) {
    rmSync(outdir, { recursive: true, force: true });
    const first = result.errors?.[0];
    if (!first) throw new CompileError(result.message, { file: abs, line: 1, col: 1 });
    const loc = first.location;
    const site = loc ? { file: resolve(dirname(abs), loc.file), line: loc.line, col: loc.column + 1 } : { file: abs, line: 1, col: 1 };
    throw new CompileError(first.text, site);
  }
  return { bundle };
}
