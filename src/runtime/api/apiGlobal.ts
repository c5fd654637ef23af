// Task files import 'poolscope'; the compiler points that import at this global (see
// compile.ts), which every thread of a run sets to its own runtime. So a task file needs no
// poolscope install of its own, and ESM and CommonJS task files get the same instance.
import * as api from '../index';

export const API_GLOBAL = 'poolscope.api';

export function exposeApi(): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for(API_GLOBAL)] = api;
}
