// The bench runs bundled (plain Node, no TypeScript loader in the measured processes): the driver
// builds these entries into dist/bench/runtime before the first round.
import { fileURLToPath } from 'node:url';

/** Entry names, relative to bench/runtime, without extension. */
export const entries = ['child', 'tasks', 'workers/workerpool', 'workers/poolifier', 'workers/bare', 'workers/bare-process'] as const;

/** Entries built as CommonJS (.cjs): poolifier 5's cluster worker, loaded as an ES module, takes
 * tasks and never answers them. */
export const cjsEntries = ['workers/poolifier-cluster'] as const;

/** Path of a built entry, called from inside child.mjs (adapters are bundled into it, so
 * import.meta.url is child.mjs's own and the other entries sit beside it). */
export function builtEntry(entry: (typeof entries)[number] | (typeof cjsEntries)[number]): string {
  const ext = (cjsEntries as readonly string[]).includes(entry) ? 'cjs' : 'mjs';
  return fileURLToPath(new URL(`./${entry}.${ext}`, import.meta.url));
}
