// Times and durations as people read them; all inputs are microseconds.
export function fmtDur(us: number): string {
  const a = Math.abs(us);
  if (a < 1) return `${us.toFixed(2)} µs`;
  if (a < 1000) return `${+us.toPrecision(3)} µs`;
  if (a < 1e6) return `${+(us / 1000).toPrecision(4)} ms`;
  return `${+(us / 1e6).toPrecision(4)} s`;
}

/** A point in time, as an offset from the trace origin. */
export function fmtTime(us: number): string {
  return us < 0 ? `-${fmtDur(-us)}` : `+${fmtDur(us)}`;
}

export function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
