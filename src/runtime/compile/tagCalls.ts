// Tags the user's pool API calls in a task bundle with their call sites, worked out once here
// rather than by a stack walk on every call: `pool.applyAsync(f)` becomes
// `__psAt(7, pool).applyAsync(f)`, 7 indexing the sites returned. Text is only inserted, and
// the source map is shifted to match, so stack traces still point where they did.
// The run's main thread does this before it imports the bundle: parsing a big bundle takes a
// while, and the host may be an editor whose extension host must not wait on it.
// `throw x` statements are tagged the same way (`throw __psThrow(3, x)`), see siteTag.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, type AnyNode, type CallExpression, type Expression, type Position, type ThrowStatement } from 'acorn';
import { simple } from 'acorn-walk';
import { bundleSites } from '../sites/bundleSites';
import { shiftMappings } from './shiftMap';
import { TAG_FN, THROW_FN } from '../sites/siteTag';

/** Methods of pools, executors, results and futures whose call sites the trace shows. */
const API_METHODS = new Set([
  'applyAsync',
  'apply',
  'mapAsync',
  'map',
  'starmapAsync',
  'starmap',
  'imap',
  'imapUnordered',
  'close',
  'terminate',
  'join',
  'get',
  'wait',
  'submit',
  'shutdown',
  'result',
  'exception',
  'addDoneCallback',
]);

const IN_DEPENDENCY = /[\\/]node_modules[\\/]/;

/** A source map, as esbuild writes it; only its mappings are changed here. */
type SourceMapJson = { mappings: string };

export interface TaggedBundle {
  code: string;
  map: SourceMapJson;
  /** the call site of each tag id, as 'file:line:col' */
  sites: string[];
}

interface Edit {
  at: number;
  pos: Position;
  text: string;
  opens: boolean;
  /** where the wrapped expression ends (an opening edit) or starts (a closing one) */
  other: number;
}

/**
 * Parsing and mapping take roughly 0.1 to 0.25 s a megabyte here: past this size (a task file
 * bundling a compiler, say) starting fast matters more, and call sites are found at run time.
 */
const TAG_MAX_CHARS = 4_000_000;

/**
 * Tags the calls of the bundle at `bundle` (and its `.map`) in place; returns the site of each
 * tag and the source map now in effect. A bundle too big, or one this fails on, is left as it
 * is: call sites are then found at run time.
 */
export function tagBundleFile(bundle: string): { sites: string[]; map: SourceMapJson } {
  const map = JSON.parse(readFileSync(bundle + '.map', 'utf8')) as SourceMapJson;
  try {
    const code = readFileSync(bundle, 'utf8');
    if (code.length > TAG_MAX_CHARS) return { sites: [], map };
    const out = tagCalls(code, map, dirname(bundle));
    writeFileSync(bundle, out.code);
    writeFileSync(bundle + '.map', JSON.stringify(out.map));
    return { sites: out.sites, map: out.map };
  } catch {
    return { sites: [], map };
  }
}

export function tagCalls(code: string, sourceMap: SourceMapJson, bundleDir: string): TaggedBundle {
  const siteOf = bundleSites(sourceMap, bundleDir);
  const calls: CallExpression[] = [];
  const throws: ThrowStatement[] = [];
  const chained = new Set<AnyNode>();
  simple(parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }), {
    CallExpression: (node) => void calls.push(node),
    ChainExpression: (node) => markChain(node.expression, chained),
    ThrowStatement: (node) => void throws.push(node),
  });
  const sites: string[] = [];
  const edits: Edit[] = [];
  const wrap = (fn: string, e: Expression, site: string) => {
    // A comma expression unparenthesized would become two arguments.
    const comma = e.type === 'SequenceExpression';
    edits.push({ at: e.start, pos: e.loc!.start, text: `${fn}(${sites.length}, ${comma ? '(' : ''}`, opens: true, other: e.end });
    edits.push({ at: e.end, pos: e.loc!.end, text: comma ? '))' : ')', opens: false, other: e.start });
    sites.push(site);
  };
  for (const t of throws) {
    const site = siteOf(t.loc!.start.line - 1, t.loc!.start.column);
    if (site !== undefined && !IN_DEPENDENCY.test(site)) wrap(THROW_FN, t.argument, site);
  }
  for (const call of calls) {
    const callee = call.callee;
    if (chained.has(call) || callee.type !== 'MemberExpression' || callee.computed || callee.optional) continue;
    if (callee.object.type === 'Super' || callee.property.type !== 'Identifier' || !API_METHODS.has(callee.property.name)) continue;
    // V8 places a method call's frame at the method's name: the same position a stack walk maps.
    const name = callee.property.loc!.start;
    const site = siteOf(name.line - 1, name.column);
    if (site === undefined || IN_DEPENDENCY.test(site)) continue;
    wrap(TAG_FN, callee.object as Expression, site);
  }
  if (edits.length === 0) return { code, map: sourceMap, sites };
  // At one offset, wraps that end there close before others open; of wraps opening together the
  // outer (ending later) opens first, of wraps closing together the inner (starting later) first.
  edits.sort((a, b) => a.at - b.at || Number(a.opens) - Number(b.opens) || b.other - a.other);
  const parts: string[] = [];
  let from = 0;
  for (const e of edits) {
    parts.push(code.slice(from, e.at), e.text);
    from = e.at;
  }
  parts.push(code.slice(from));
  const insertions = edits.map((e) => ({ line: e.pos.line - 1, col: e.pos.column, length: e.text.length }));
  return { code: parts.join(''), map: { ...sourceMap, mappings: shiftMappings(sourceMap.mappings, insertions) }, sites };
}

/** The calls an optional chain is made of: wrapping any of them could move where the chain stops. */
function markChain(node: AnyNode, into: Set<AnyNode>): void {
  for (let n = node; ;) {
    if (n.type === 'CallExpression') {
      into.add(n);
      n = n.callee;
    } else if (n.type === 'MemberExpression') n = n.object;
    else return;
  }
}
