// How a compiled task file hands its call sites to the runtime without a stack walk: the
// compiler rewrites `pool.applyAsync(f)` to `__psAt(7, pool).applyAsync(f)` (see
// tagCalls.ts), and the call it tags reads site 7 from one object the bundle and the runtime
// of a thread share (see callSite in sites.ts). A value thrown that is not an Error has no
// stack to say where it came from: `throw x` becomes `throw __psThrow(3, x)`, which notes site 3
// beside such a value, so a string escaping main can still be placed.
export const TAG_FN = '__psAt';
export const THROW_FN = '__psThrow';

const TAG_GLOBAL = 'poolscope.siteTag';

export interface SiteTag {
  /** index into the compiled file's table of call sites; -1 for none */
  id: number;
  /** the object the tagged call is made on */
  on: unknown;
  /** the site id of the last `throw` of a value that is not an Error, and that value */
  threw?: number;
  thrown?: unknown;
}

/**
 * Declares the tag function for the top of the bundle. One line, added to the banner esbuild
 * already puts above the code, so the source map accounts for it; the shared object is looked
 * up once here, not on every call.
 */
export const TAG_BANNER =
  `const __psSiteTag = globalThis[Symbol.for(${JSON.stringify(TAG_GLOBAL)})] ??= { id: -1, on: undefined }; ` +
  `const ${TAG_FN} = (id, o) => (__psSiteTag.id = id, __psSiteTag.on = o, o); ` +
  `const ${THROW_FN} = (id, v) => (v instanceof Error || (__psSiteTag.threw = id, __psSiteTag.thrown = v), v);`;

export function siteTag(): SiteTag {
  return ((globalThis as Record<symbol, SiteTag | undefined>)[Symbol.for(TAG_GLOBAL)] ??= { id: -1, on: undefined });
}
