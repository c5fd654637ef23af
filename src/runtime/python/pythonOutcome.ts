// How a Python run ended, once its process has exited: from main's end record and the exit status.
import { constants } from 'node:os';
import { sep } from 'node:path';
import type { RunError, RunResult } from '../host/run';
import type { Site } from '../../trace/model';
import type { TraceStore } from '../../trace/store';

/** `folder`: the program's folder, where its own frames are. */
export function pythonOutcome(store: TraceStore, code: number | null, signal: NodeJS.Signals | null, folder: string): Pick<RunResult, 'outcome' | 'error'> {
  const mainEnd = store.marks.find((m) => m.kind === 'main-returned' || m.kind === 'main-threw');
  if (mainEnd?.kind === 'main-threw') return { outcome: 'threw', error: pythonError(mainEnd.text ?? '', folder) };
  if (mainEnd && code === 0) return { outcome: 'returned' };
  const how = signal ? `was killed by ${signal} (${constants.signals[signal] ?? '?'})` : `exited with code ${code}`;
  return { outcome: 'crashed', error: { message: `python ${how} ${mainEnd ? 'after' : 'before'} the program's main code ended` } };
}

/** A Python traceback as a run error: its last line (the exception) and its innermost frame in `folder`. */
export function pythonError(traceback: string, folder: string): RunError {
  const lines = traceback.trimEnd().split('\n');
  let site: Site | undefined;
  for (const l of lines) {
    const m = /^\s*File "(.+)", line (\d+)/.exec(l);
    if (m && (!site || m[1].startsWith(folder + sep))) site = { file: m[1], line: Number(m[2]), col: 1 };
  }
  return { message: lines[lines.length - 1] ?? '', site, stack: traceback };
}
