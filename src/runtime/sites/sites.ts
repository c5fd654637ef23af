// Source locations for the trace: the user's call site of each API call, and where a
// callback or task function is defined. User code runs from an esbuild bundle, so raw
// positions are mapped back through the bundle's source map.
import { Session } from 'node:inspector';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSites, type SiteOf } from './bundleSites';
import { siteTag } from './siteTag';

interface Config {
  bundleUrl: string;
  mapped: SiteOf;
  /** the call sites the compiler tagged calls with, by tag id */
  tagged: readonly string[];
  session?: Session;
  bundleScriptId?: string;
}

let config: Config | undefined;
/** Mapped sites by bundle line, then column: a loop issuing tasks maps its one line once. */
const mappedByPosition = new Map<number, Map<number, string | undefined>>();
const fnSites = new WeakMap<Function, string | undefined>();
const tag = siteTag();

export function configureSites(bundleUrl: string, sourceMapJson: object, tagged: readonly string[], anchor: Function): void {
  config = { bundleUrl, mapped: bundleSites(sourceMapJson, dirname(fileURLToPath(bundleUrl))), tagged };
  try {
    const session = new Session();
    session.connect();
    config.session = session;
    config.bundleScriptId = rawLocation(anchor)?.scriptId;
  } catch {
    // No inspector in this build of Node: definition sites fall back to registration sites.
  }
}

/**
 * The user's call site of the API call being made on `receiver`, as 'file:line:col': the one
 * the compiler tagged the call with, else found on the stack (only if `wanted`: a stack walk is
 * the cost tags save). Public methods take it first thing, before anything can throw: the tag
 * is dropped either way, so no later call can take a site that is not its own.
 */
export function callSite(receiver: object, wanted = true): string | undefined {
  const id = tag.on === receiver ? tag.id : -1;
  tag.id = -1;
  tag.on = undefined;
  if (id >= 0) return config?.tagged[id];
  return wanted ? captureSite() : undefined;
}

const keepFrames = (_: Error, frames: NodeJS.CallSite[]) => frames;
const holder: { stack?: unknown } = {};

/** The innermost call site in the user's bundle, as 'file:line:col' in the original source. */
export function captureSite(): string | undefined {
  if (!config) return undefined;
  // The user's frame is within a few frames of the public API call that asks (applyAsync ->
  // jobSite -> callSite -> here is 4, as is a future's result()); capturing only those is most
  // of the cost saved. A deeper look is the exception.
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
    let onLine = mappedByPosition.get(line);
    if (!onLine) mappedByPosition.set(line, (onLine = new Map()));
    if (!onLine.has(col)) onLine.set(col, config!.mapped(line, col));
    return onLine.get(col);
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
  const site = loc && loc.scriptId === config.bundleScriptId ? config.mapped(loc.lineNumber, loc.columnNumber) : undefined;
  fnSites.set(fn, site);
  return site;
}

export function callbackName(fn: Function): string {
  return fn.name || '<anonymous>';
}
