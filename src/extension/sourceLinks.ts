// "Go to source" from the webview opens a file only if the trace names it: a page showing the
// user's program's text must not become a way to open any path on the machine.
import { isAbsolute, resolve } from 'node:path';
import type { Finding } from '../analysis';
import { parseSite } from '../trace/model';
import type { TraceStore } from '../trace/store';

export interface TracedRun {
  file: string;
  store: TraceStore;
  findings: readonly Finding[];
}

/** Why `file` may not be opened from the view of `run`, or undefined if it may. */
export function sourceRefusal(run: TracedRun | undefined, file: string): string | undefined {
  if (!run) return 'no run is shown';
  // Only plain absolute paths: '..' could name a file outside the folder it seems to be in.
  if (!isAbsolute(file) || resolve(file) !== file) return 'not a plain absolute path';
  if (!fileNamedByTrace(run, file)) return 'the trace does not name it';
  return undefined;
}

/** Whether any site of the trace (spans, jobs, pools, findings) or the run itself names the file. */
export function fileNamedByTrace(run: TracedRun, file: string): boolean {
  if (run.file === file || run.store.meta.file === file) return true;
  const s = run.store;
  for (let id = 1; ; id++) {
    const text = s.str(id);
    if (text === '') break;
    if (parseSite(text)?.file === file) return true;
  }
  for (const j of s.jobs.values()) if (j.site?.file === file || j.callbacks.some((c) => c.site?.file === file || c.registeredAt?.file === file)) return true;
  for (const p of s.pools.values()) if (p.site?.file === file) return true;
  return run.findings.some((f) => f.site?.file === file || f.related.some((r) => r.site?.file === file));
}
