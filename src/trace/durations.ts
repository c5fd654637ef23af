// Durations as people read them, in the unit that suits their size: µs below a millisecond, ms
// below a second, s above. Findings round them; the inspector's readouts keep more figures.

type Unit = 'µs' | 'ms' | 's';

function inUnit(us: number, write: (n: number, unit: Unit) => string): string {
  const a = Math.abs(us);
  if (a < 1000) return `${write(us, 'µs')} µs`;
  if (a < 1e6) return `${write(us / 1000, 'ms')} ms`;
  return `${write(us / 1e6, 's')} s`;
}

/** A duration in µs as a finding words it: 850 µs, 4.2 ms, 12 ms, 1.2 s. */
export function formatDuration(us: number): string {
  return inUnit(us, (n, unit) => (unit === 's' || (unit === 'ms' && n < 10) ? n.toFixed(1) : String(Math.round(n))));
}

/** A duration in µs as the inspector shows it: 0.25 µs, 850 µs, 1.235 ms, 12.35 s. */
export function formatDurationPrecise(us: number): string {
  return inUnit(us, (n, unit) => (unit !== 'µs' ? String(+n.toPrecision(4)) : Math.abs(n) < 1 ? n.toFixed(2) : String(+n.toPrecision(3))));
}
