// A task failed and nothing ever looked at the error: no get()/result()/exception(), no error
// callback. The failure is silent. Jobs submitted from one line are reported together, so a
// loop of failing submits is one finding, not a hundred.
import { isExecutor, type Job } from '../../trace/model';
import type { Finding, RelatedInfo } from '../types';
import type { TraceIndex } from '../traceIndex';
import { bySite, count, errorLine } from '../text';

const SHOWN_CALLS = 3;

export function errorUnretrieved(t: TraceIndex): Finding[] {
  // A trace whose records stopped before the end cannot tell an error looked at after that.
  if (t.store.meta.recordsStopped) return [];
  // A broken pool fails every pending job at once; pool-broken reports that cause.
  const silent: Job[] = [];
  for (const job of t.store.jobs.values()) if (job.status === 'error' && !job.retrieved && !t.store.pools.get(job.pool)?.broken) silent.push(job);
  const groups = bySite(silent, (job) => job.fnSite ?? job.site, true).map((g) => g.items);
  return groups.map((jobs): Finding => {
    const first = jobs[0];
    const name = t.taskName(first);
    const failed = jobs.flatMap((j) => t.tasksOf(j.id).filter((i) => t.store.status(i) === 'error'));
    const error = errorLine(failed.length ? t.span(failed[0]).text : undefined, 'an error');
    const pool = t.store.pools.get(first.pool);
    const unseen = pool && isExecutor(pool.kind) ? 'nothing called result() or exception()' : 'nothing called get() and there was no errorCallback';
    const message =
      jobs.length === 1
        ? `\`${name}\` failed with ${error} and the error was never looked at: ${unseen}`
        : `${count(jobs.length, 'call')} of \`${name}\` failed (first: ${error}) and their errors were never looked at: ${unseen}`;
    const them = jobs.length === 1 ? 'it' : 'them';
    const related: RelatedInfo[] = bySite(jobs, (j) => j.site)
      .filter((g) => g.site)
      .slice(0, SHOWN_CALLS)
      .map((g) => ({ message: `the ${g.items[0].api}() call that submitted ${them}`, site: g.site }));
    return { rule: 'error-unretrieved', severity: 'warning', message, site: first.fnSite ?? first.site, related, spans: failed };
  });
}
