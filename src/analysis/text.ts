// Wording shared by the rules, so every finding speaks of times, errors and counts alike.
import { formatSite, type Site } from '../trace/model';
import { firstLine } from '../trace/stacks';

export { formatDuration } from '../trace/durations';

/** The first line of an error text (its message without the stack), or `fallback` when it is blank. */
export function errorLine(text: string | undefined, fallback = 'an error'): string {
  return firstLine(text).trim() || fallback;
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

/**
 * Items grouped by their source line (first-seen order), so related info names each line once.
 * Items without a site form one group, or with `sitelessApart` one group each.
 */
export function bySite<T>(items: readonly T[], siteOf: (item: T) => Site | undefined, sitelessApart = false): { site?: Site; items: T[] }[] {
  // The items of a big run share a few site objects: each is formatted once.
  const texts = new Map<Site, string>();
  const keyOf = (item: T): unknown => {
    const site = siteOf(item);
    if (!site) return sitelessApart ? item : '';
    let text = texts.get(site);
    if (text === undefined) texts.set(site, (text = formatSite(site)));
    return text;
  };
  return groupBy(items, keyOf).map((g) => ({ site: siteOf(g[0]), items: g }));
}
