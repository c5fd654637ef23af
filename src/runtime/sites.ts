// Source locations for the trace: the user's call site of each API call, and where a
// callback or task function is defined. User code runs from an esbuild bundle, so raw
// positions are mapped back through the bundle's source map.
import { Session } from 'node:inspector';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Config {
  bundleUrl: string;
  bundleDir: string;
  map: SourceMap;
  session?: Session;
  bundleScriptId?: string;
}

let config: Config | undefined;
/** Mapped sites by bundle position: a loop issuing tasks maps its one line once. */
const mappedByPosition = new Map<number, string | undefined>();
const fnSites = new WeakMap<Function, string | undefined>();

export function configureSites(bundleUrl: string, sourceMapJson: object, anchor: Function): void {
  config = { bundleUrl, bundleDir: dirname(fileURLToPath(bundleUrl)), map: new SourceMap(sourceMapJson as never) };
  try {
    const session = new Session();
    session.connect();
    config.session = session;
    config.bundleScriptId = rawLocation(anchor)?.scriptId;
  } catch {
    // No inspector in this build of Node: definition sites fall back to registration sites.
  }
}

function mapped(line0: number, col0: number): string | undefined {
  const entry = config!.map.findEntry(line0, col0) as { originalSource?: string; originalLine?: number; originalColumn?: number };
  if (!entry || entry.originalSource === undefined) return undefined;
  const src = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : resolve(config!.bundleDir, entry.originalSource);
  return `${src}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}`;
}

const keepFrames = (_: Error, frames: NodeJS.CallSite[]) => frames;
const holder: { stack?: unknown } = {};

/** The innermost call site in the user's bundle, as 'file:line:col' in the original source. */
export function captureSite(): string | undefined {
  if (!config) return undefined;
  // The user's frame is within a few frames of the public API call that asks (applyAsync ->
  // issue -> here is 3, a map or a future's result() 4); capturing only those is most of the
  // cost saved. A deeper look is the exception.
  return siteWithin(5) ?? siteWithin(16);
}

function siteWithin(depth: number): string | undefined {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = keepFrames as never;
  Error.stackTraceLimit = depth;
  Error.captureStackTrace(holder, captureSite);
  const frames = holder.stack as NodeJS.CallSite[];
  Error.prepareStackTrace = prepare;
  Error.stackTraceLimit = limit;
  holder.stack = undefined;
  for (const f of frames) {
    if (f.getFileName() !== config!.bundleUrl) continue;
    const line = f.getLineNumber()! - 1;
    const col = f.getColumnNumber()! - 1;
    const key = line * 65536 + col;
    if (!mappedByPosition.has(key)) mappedByPosition.set(key, mapped(line, col));
    return mappedByPosition.get(key);
  }
  return undefined;
}

function rawLocation(fn: Function): { scriptId: string; lineNumber: number; columnNumber: number } | undefined {
  const session = config?.session;
  if (!session) return undefined;
  const g = globalThis as { __poolscopeLocate?: Function };
  g.__poolscopeLocate = fn;
  let loc: { scriptId: string; lineNumber: number; columnNumber: number } | undefined;
  // Same-thread inspector sessions answer synchronously, inside post().
  session.post('Runtime.evaluate', { expression: 'globalThis.__poolscopeLocate', objectGroup: 'poolscope' }, (err, res) => {
    if (err || !res.result.objectId) return;
    session.post('Runtime.getProperties', { objectId: res.result.objectId, ownProperties: true }, (err2, props) => {
      if (err2) return;
      loc = props.internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value;
    });
  });
  session.post('Runtime.releaseObjectGroup', { objectGroup: 'poolscope' });
  delete g.__poolscopeLocate;
  return loc;
}

/** Where fn is defined, as 'file:line:col' (the position of its name), if it is user code. */
export function functionSite(fn: Function): string | undefined {
  if (!config) return undefined;
  if (fnSites.has(fn)) return fnSites.get(fn);
  const loc = rawLocation(fn);
  const site = loc && loc.scriptId === config.bundleScriptId ? mapped(loc.lineNumber, loc.columnNumber) : undefined;
  fnSites.set(fn, site);
  return site;
}

export function callbackName(fn: Function): string {
  return fn.name || '<anonymous>';
}
