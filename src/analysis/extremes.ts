// The smallest and largest of a measure over items, by a loop: Math.min(...xs) passes every
// element as an argument and overflows the stack on a big run's 100k-element lists.

export function minOf<T>(items: readonly T[], measure: (item: T) => number): number {
  let m = Infinity;
  for (const item of items) {
    const v = measure(item);
    if (v < m) m = v;
  }
  return m;
}

export function maxOf<T>(items: readonly T[], measure: (item: T) => number): number {
  let m = -Infinity;
  for (const item of items) {
    const v = measure(item);
    if (v > m) m = v;
  }
  return m;
}
