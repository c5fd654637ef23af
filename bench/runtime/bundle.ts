// The bench runs bundled (plain Node, no TypeScript loader in the measured processes): the driver
// builds these entries into dist/bench/runtime before the first round.
import { fileURLToPath } from 'node:url';

/** Entry names, relative to bench/runtime, without extension. */
export const entries = ['child', 'tasks', 'workers/workerpool', 'workers/poolifier', 'workers/bare'] as const;

/** Path of a built entry, called from inside child.mjs (adapters are bundled into it, so
 * import.meta.url is child.mjs's own and the other entries sit beside it). */
export function builtEntry(entry: (typeof entries)[number]): string {
  return fileURLToPath(new URL(`./${entry}.mjs`, import.meta.url));
}
