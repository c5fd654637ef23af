// Where the built scripts live. This code runs from dist/ (CommonJS extension bundle) or
// from dist/chunks/ (shared ESM chunk), and the worker scripts are always in dist/.
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// In the CommonJS bundle import.meta is empty and __dirname is the module's own.
const here = import.meta.url ? dirname(fileURLToPath(import.meta.url)) : __dirname;
export const DIST_DIR = basename(here) === 'chunks' ? dirname(here) : here;

export function distFile(name: string): string {
  return join(DIST_DIR, name);
}
