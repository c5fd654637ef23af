// A pool callback that throws kills the pool's result handler (docs/SEMANTICS.md A7); an executor's
// done callback that throws is only logged (B17). Both lose what the callback was meant to do.
// In a Python program the trace says which it was: the result handler swallows a KeyError
// without a word and lives on (A7a), but the job whose callback raised it never becomes ready.
import type { Span } from '../../trace/model';
import type { Finding, RelatedInfo } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, errorLine } from '../text';

export function callbackThrew(t: TraceIndex): Finding[] {
  const findings: Finding[] = [];
  for (const i of t.callbacks) {
    const cb = t.span(i);
    if (cb.status !== 'threw') continue;
    const job = t.job(cb.job);
    const error = errorLine(cb.text);
    let message: string;
    if (cb.cbKind === 'done') {
      message = `done callback \`${cb.name}\` threw ${error}; the executor logged it and ran the later callbacks, but this one's work was lost`;
    } else if (swallowed(t, cb)) {
      const label = cb.cbKind === 'error' ? 'error callback' : 'callback';
      message = `${label} \`${cb.name}\` raised ${error}, and the pool's result handler swallowed it without a word (it ignores a KeyError from a callback): later results still complete, but this one never becomes ready, so get() or wait() on it never returns`;
    } else {
      const label = cb.cbKind === 'error' ? 'error callback' : 'callback';
      const stuck = job ? t.poolWork(job.pool).pending - (job.status === 'pending' ? 1 : 0) : 0;
      const lost = stuck > 0 ? ` (${count(stuck, 'other job')} stuck)` : '';
      message = `${label} \`${cb.name}\` threw ${error}; that killed the pool's result handler: this result and every later one of the pool never complete${lost}`;
    }
    const related: RelatedInfo[] = [];
    if (cb.site2) related.push({ message: `\`${cb.name}\` was registered here`, site: cb.site2 });
    if (job?.site) related.push({ message: `the ${job.api}() call whose outcome it handled`, site: job.site });
    findings.push({ rule: 'callback-threw', severity: 'error', message, site: cb.site, related, spans: [i] });
  }
  return findings;
}

/**
 * A Python pool callback that raised while its pool's result handler lived on: what the handler
 * does with a KeyError. (The JavaScript runtime's handler always dies, as Python's does on any other error.)
 */
export function swallowed(t: TraceIndex, cb: Span): boolean {
  if (t.store.meta.language !== 'python' || cb.cbKind === 'done' || cb.status !== 'threw') return false;
  const died = t.poolOfJob(cb.job)?.handlerDied;
  return !died || died.ts < cb.start;
}
