// Times and names as people read them; times are microseconds.
import { formatDurationPrecise } from '../protocol/wire';

/** A point in time, as an offset from the trace origin. */
export function fmtTime(us: number): string {
  return us < 0 ? `-${formatDurationPrecise(-us)}` : `+${formatDurationPrecise(us)}`;
}

export function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}
