// Compiles a task file (JS or TS, ESM or CommonJS) into one ESM bundle with a source map,
// so TypeScript runs as is and stack traces point at the user's own lines. Runs in the host:
// compiling runs no user code, and a syntax error is reported before any thread starts.
import * as esbuild from 'esbuild';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Site } from '../trace/model';
import { API_GLOBAL } from './apiGlobal';
import { TAG_BANNER } from './siteTag';
import { tagCalls, type TaggedBundle } from './tagCalls';

export const TASK_FILE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

export interface Compiled {
  bundle: string;
  /** the call site of each tag in the bundle (see tagCalls.ts) */
  sites: string[];
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
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new CompileError('no such file', { file: abs, line: 1, col: 1 });
  if (!TASK_FILE_EXTENSIONS.some((e) => abs.endsWith(e))) {
    throw new CompileError(`a task file must be one of ${TASK_FILE_EXTENSIONS.join(' ')}`, { file: abs, line: 1, col: 1 });
  }
  const outdir = mkdtempSync(join(tmpdir(), 'poolscope-'));
  const bundle = join(outdir, 'task.mjs');
  const result = await esbuild
    .build({
      entryPoints: [abs],
      absWorkingDir: dirname(abs),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: bundle,
      write: false,
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'silent',
      plugins: [poolscopeImport],
      // Bundled CommonJS packages may still require Node built-ins; tagged calls need the tag function.
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
  const output = (path: string) => result.outputFiles.find((f) => f.path === path)!.text;
  const out = tagged(output(bundle), output(bundle + '.map'), outdir);
  writeFileSync(bundle, out.code);
  writeFileSync(bundle + '.map', out.map);
  return { bundle, sites: out.sites };
}

/**
 * Tagging parses the whole bundle, about 3 MB a second here: past this size (a task file that
 * bundles a compiler, say) starting fast matters more, and call sites are found at run time.
 */
const TAG_MAX_CHARS = 4_000_000;

/** The bundle with its calls tagged; untouched if that fails or it is too big, as call sites can still be found at run time. */
function tagged(code: string, map: string, dir: string): TaggedBundle {
  if (code.length > TAG_MAX_CHARS) return { code, map, sites: [] };
  try {
    return tagCalls(code, map, dir);
  } catch {
    return { code, map, sites: [] };
  }
}
