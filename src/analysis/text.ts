// Wording shared by the rules, so every finding speaks of times, errors and counts alike.
import { formatSite, type Site } from '../trace/model';

/** A duration in µs as a person reads it: 850 µs, 12 ms, 1.2 s. */
export function formatDuration(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 10_000) return `${(us / 1000).toFixed(1)} ms`;
  if (us < 1_000_000) return `${Math.round(us / 1000)} ms`;
  return `${(us / 1_000_000).toFixed(1)} s`;
}

/** The first line of an error text (its message without the stack). */
export function firstLine(text: string | undefined, fallback = 'an error'): string {
  const line = text?.split('\n', 1)[0].trim();
  return line || fallback;
}

/** `1 result`, `7 results`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** Items grouped by a key, in first-seen order. */
export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): T[][] {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(item);
  }
  return [...groups.values()];
}

/** Items grouped by their source line (first-seen order), so related info names each line once. */
export function bySite<T>(items: readonly T[], siteOf: (item: T) => Site | undefined): { site?: Site; items: T[] }[] {
  // The items of a big run share a few site objects: each is formatted once.
  const texts = new Map<Site, string>();
  const textOf = (site: Site | undefined) => {
    if (!site) return '';
    let text = texts.get(site);
    if (text === undefined) texts.set(site, (text = formatSite(site)));
    return text;
  };
  return groupBy(items, (item) => textOf(siteOf(item))).map((g) => ({ site: siteOf(g[0]), items: g }));
}
