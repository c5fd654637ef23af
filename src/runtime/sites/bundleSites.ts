// Positions in a task bundle as the user's own 'file:line:col', through the bundle's source
// map. The compiler names call sites ahead of time and the run names the rest from stack
// frames; both go through here, so one position always gets one and the same string.
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** 0-based line and column in the bundle -> 'file:line:col' (1-based), or undefined outside the user's sources. */
export type SiteOf = (line0: number, col0: number) => string | undefined;

export function bundleSites(sourceMapJson: object, bundleDir: string): SiteOf {
  const map = new SourceMap(sourceMapJson as never);
  // A source map's sources are URLs relative to the map, percent-encoded ('t%C3%A2che.ts'):
  // resolved as URLs, they give back the path on disk that terminals and editors can open.
  const base = pathToFileURL(`${bundleDir}/`);
  return (line0, col0) => {
    const entry = map.findEntry(line0, col0) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!entry || entry.originalSource === undefined) return undefined;
    const src = fileURLToPath(new URL(entry.originalSource, base));
    return `${src}:${entry.originalLine! + 1}:${entry.originalColumn! + 1}`;
  };
}
