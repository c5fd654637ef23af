// mapAsync/starmapAsync call their errorCallback once, with the first error to arrive, and
// drop the rest (docs/SEMANTICS.md A4): when several tasks of one map fail, all but one go unseen.
import type { Finding, RelatedInfo } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, errorLine } from '../text';

const SHOWN_TASKS = 5;

export function errorsUnseen(t: TraceIndex): Finding[] {
  const findings: Finding[] = [];
  for (const job of t.store.jobs.values()) {
    const onError = job.callbacks.find((c) => c.kind === 'error');
    if (!onError) continue;
    const failed = t
      .tasksOf(job.id)
      .filter((i) => t.store.status(i) === 'error')
      .sort((a, b) => t.store.col.end[a] - t.store.col.end[b]);
    if (failed.length < 2) continue;
    const cbSpans = t.callbacksOf(job.id).filter((i) => t.span(i).cbKind === 'error');
    // The error callback's span names the task whose error it got: results from different
    // workers can arrive in another order than they ended. Older traces lack it: first to end.
    const got = cbSpans.length > 0 ? t.store.col.taskId[cbSpans[0]] : -1;
    const seenAt = Math.max(
      0,
      failed.findIndex((i) => t.store.col.taskId[i] === got),
    );
    const [seen, ...unseen] = [failed[seenAt], ...failed.filter((_, k) => k !== seenAt)].map((i) => t.span(i));
    const related: RelatedInfo[] = [{ message: `error callback \`${onError.name}\` is defined here`, site: onError.site }];
    for (const task of unseen.slice(0, SHOWN_TASKS)) {
      related.push({ message: `task ${task.taskId} also failed, unseen: ${errorLine(task.text)}`, site: job.fnSite ?? task.site });
    }
    findings.push({
      rule: 'errors-unseen',
      severity: 'warning',
      message: `error callback \`${onError.name}\` saw 1 of ${failed.length} errors: ${job.api} reports only the first to arrive (${errorLine(seen.text)}); ${count(unseen.length, 'other failure')} went unseen`,
      site: job.site,
      related,
      spans: [...failed, ...cbSpans],
    });
  }
  return findings;
}
