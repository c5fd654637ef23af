// A worker thread or process that ends unasked (process.exit(), a signal, running out of
// memory, an uncaught error) takes the task it was running with it: a Pool loses that task for
// good (its get() waits for ever) and starts a replacement, a ProcessPoolExecutor breaks
// (docs/SEMANTICS.md B21). The finding sits on the task function, names the worker, how it died and
// what followed, and points at the line that submitted the task. Deaths of one pool while
// running tasks from one line are one finding; a worker that died because its initializer
// threw is initializer-respawn's or pool-broken's.
import { brokenError, isExecutor } from '../../trace/model';
import { stackSite } from '../../trace/stacks';
import type { Finding, RelatedInfo } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, groupBy } from '../text';
import { workerDeaths, type WorkerDeath } from '../workerDeaths';
import { brokenConsequence } from './pool-broken';

export function workerCrashed(t: TraceIndex): Finding[] {
  const deaths = workerDeaths(t).filter((d) => !d.afterFailedInit);
  return groupBy(deaths, (d) => `${d.mark.pool} ${d.task < 0 ? 'idle' : t.store.col.site[d.task]}`).map((g) => finding(t, g));
}

function finding(t: TraceIndex, deaths: WorkerDeath[]): Finding {
  const [first] = deaths;
  const { pool } = first;
  const kind = pool?.kind ?? 'pool';
  const task = first.task >= 0 ? t.span(first.task) : undefined;
  const job = task ? t.job(task.job) : undefined;
  const doing = task ? `while running \`${task.name}\`` : 'between tasks';
  const reason = first.reason && `: ${first.reason}`;
  const what =
    deaths.length === 1
      ? `${first.who} of the ${kind} ${first.how} ${doing}${reason}`
      : `${count(deaths.length, 'worker')} of the ${kind} died ${doing} (first: ${first.who} ${first.how}${reason})`;
  const after: string[] = [];
  if (pool?.broken && pool.broken.ts >= first.mark.ts) after.push(`the ${kind} broke: ${brokenConsequence(t, pool)}`);
  else if (task) {
    const pending = deaths.filter((d) => d.task >= 0 && t.job(t.store.col.job[d.task])?.status === 'pending').length;
    const one = deaths.length === 1;
    if (pending > 0)
      after.push(
        `${one ? 'the task is lost: its result never arrives' : `${count(pending, 'task')} lost: their results never arrive`}, so a wait on ${one ? 'it' : 'them'} without a timeout waits for ever`,
      );
    else if (pool && isExecutor(pool.kind) && job?.status === 'error') after.push(`its future failed (${brokenError(pool.kind)})`);
  }
  const replaced = deaths.filter((d) => d.replacedBy);
  if (replaced.length === deaths.length) {
    const pid = deaths.length === 1 ? first.replacedBy?.pid : undefined;
    after.push(
      deaths.length === 1 ? `the ${kind} started a replacement${pid !== undefined && first.who.includes('pid') ? ` (pid ${pid})` : ''}` : `the ${kind} replaced each of them`,
    );
  }
  const related: RelatedInfo[] = [];
  if (job?.site && task) related.push({ message: `the ${job.api}() call that submitted \`${task.name}\``, site: job.site });
  if (pool?.site) related.push({ message: `the ${kind} was created here`, site: pool.site });
  return {
    rule: 'worker-crashed',
    severity: 'error',
    message: [what, ...after].join('; '),
    site: job?.fnSite ?? job?.site ?? stackSite(first.mark.text) ?? pool?.site,
    related,
    spans: deaths.filter((d) => d.task >= 0).map((d) => d.task),
  };
}
