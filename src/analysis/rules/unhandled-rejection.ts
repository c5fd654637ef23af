// A promise that rejects inside a task with nothing to handle it (no await, no catch) takes its
// error nowhere: the task may still return, and no get(), callback or future ever sees the
// error. Node would end a plain worker over it. The finding sits where the rejection was made
// (the first frame of the user's in its stack) and points at the line that submitted the task.
// Rejections made at one place are one finding.
import { formatSite } from '../../trace/model';
import { stackSite } from '../../trace/stacks';
import type { Finding, RelatedInfo } from '../types';
import type { TraceIndex } from '../traceIndex';
import { bySite, count, errorLine, groupBy } from '../text';

const SHOWN_CALLS = 3;

export function unhandledRejection(t: TraceIndex): Finding[] {
  const seen = t.store.marks
    .filter((m) => m.kind === 'unhandled')
    .map((mark) => {
      const task = mark.task === undefined ? -1 : t.spanOfTask(mark.task);
      const span = task >= 0 ? t.span(task) : undefined;
      const job = span ? t.job(span.job) : undefined;
      const where = stackSite(mark.text) ?? job?.fnSite ?? job?.site;
      return { mark, task, span, job, where };
    });
  return groupBy(seen, (r) => (r.where ? formatSite(r.where) : `lane ${r.mark.lane}`)).map((g): Finding => {
    const [{ mark, span, job, where }] = g;
    const error = errorLine(mark.text, 'a rejection without a reason');
    const inWhat = span ? `task \`${span.name}\`` : `${t.lane(mark.lane)?.name ?? 'a lane'}`;
    const message =
      g.length === 1
        ? `a promise rejected in ${inWhat} and nothing handled it: ${error}; no get(), callback or future saw this error`
        : `${count(g.length, 'promise rejection')} in ${span ? `tasks of \`${span.name}\`` : inWhat} went unhandled (first: ${error}); no get(), callback or future saw these errors`;
    const related: RelatedInfo[] = [];
    for (const calls of bySite(g, (r) => r.job?.site).slice(0, SHOWN_CALLS)) {
      const call = calls.items[0].job;
      if (call?.site)
        related.push({ message: `the ${call.api}() call that submitted ${calls.items.length === 1 ? 'the task' : `${calls.items.length} of them`}`, site: call.site });
    }
    if (span && job?.fnSite && where !== job.fnSite) related.push({ message: `task function \`${span.name}\` is defined here`, site: job.fnSite });
    return { rule: 'unhandled-rejection', severity: 'warning', message, site: where, related, spans: g.filter((r) => r.task >= 0).map((r) => r.task) };
  });
}
