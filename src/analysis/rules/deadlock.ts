// Main waits on something that can no longer happen (the run ended with a deadlock). The
// finding sits on the waiting line and points at the cause: the callback that killed the
// result handler, the broken pool, or the worker that died with the awaited task.
import { formatSite, isExecutor, type PoolInfo } from '../../trace/model';
import type { Finding, RelatedInfo } from '../types';
import type { TraceIndex } from '../traceIndex';
import { errorLine } from '../text';
import { maxOf } from '../extremes';
import { swallowed } from './callback-threw';
import { workerDeaths, type WorkerDeath } from '../workerDeaths';

export function deadlock(t: TraceIndex): Finding[] {
  const d = t.store.meta.deadlock;
  if (!d) return [];
  // The wait that never returned: on the awaited job, else at the reported line, else the last one open.
  const open = t.waits.filter((i) => t.store.status(i) === 'running');
  const here = d.site && formatSite(d.site);
  const wait =
    open.filter((i) => d.job !== -1 && t.store.col.job[i] === d.job).pop() ??
    open.filter((i) => here !== undefined && t.store.str(t.store.col.site[i]) === here).pop() ??
    open.pop();
  const waitSpan = wait === undefined ? undefined : t.span(wait);
  const job = t.job(d.job);
  const deaths = workerDeaths(t);
  const pool = job ? t.store.pools.get(job.pool) : suspect(t, waitSpan?.name, deaths);
  const pools = pool ? [pool] : [];
  const related: RelatedInfo[] = [];
  const spans = wait === undefined ? [] : [wait];
  for (const pool of pools) {
    if (pool.handlerDied) {
      const threw = t.callbacks.filter((i) => t.store.status(i) === 'threw' && t.poolOfJob(t.store.col.job[i])?.id === pool.id);
      for (const i of threw) {
        const cb = t.span(i);
        related.push({ message: `callback \`${cb.name}\` threw ${errorLine(cb.text)} here and killed the pool's result handler`, site: cb.site });
        spans.push(i);
      }
      if (threw.length === 0) related.push({ message: `the pool's result handler died: ${errorLine(pool.handlerDied.error)}`, site: pool.site });
    }
    const init = t.failedInits(pool.id)[0];
    if (init !== undefined) {
      related.push({
        message: `initializer \`${t.span(init).name}\` threw ${errorLine(t.span(init).text)}, so the ${pool.kind} can never run a task`,
        site: pool.initializerSite ?? pool.site,
      });
      spans.push(init);
    } else if (pool.broken) {
      related.push({ message: `the ${pool.kind} broke: ${errorLine(pool.broken.cause)}`, site: pool.initializerSite ?? pool.site });
    }
    // Tasks lost with their worker: the awaited job's, or (join) any the pool still waits for.
    const lost = (job ? t.tasksOf(job.id) : t.tasks.filter((i) => lostPending(t, i, pool.id))).filter((i) => t.store.status(i) === 'lost');
    for (const i of lost) {
      const death = deaths.find((x) => x.task === i);
      const how = death
        ? `${death.who} ${death.how} while running it${death.reason && ` (${death.reason})`}`
        : errorLine(t.store.str(t.store.col.text[i]), 'its worker died while running it');
      const of = t.job(t.store.col.job[i]);
      related.push({ message: `\`${t.nameOf(i)}\` was lost: ${how}, so its result never arrives`, site: of?.fnSite ?? of?.site });
      spans.push(i);
    }
  }
  for (const i of job ? t.callbacksOf(job.id) : []) {
    const cb = t.span(i);
    if (!swallowed(t, cb)) continue;
    related.push({ message: `callback \`${cb.name}\` raised ${errorLine(cb.text)} here; the result handler swallowed it, so this job never becomes ready`, site: cb.site });
    spans.push(i);
  }
  if (job?.site) related.push({ message: `the awaited ${job.api}() call`, site: job.site });
  const what = waitSpan ? `${waitSpan.name}()` : 'its wait';
  return [{ rule: 'deadlock', severity: 'error', message: `main can never return from ${what}: ${d.reason}`, site: d.site ?? waitSpan?.site, related, spans }];
}

/**
 * Without an awaited job (join, a wait on several futures): the pool in trouble (result handler
 * dead, broken, initializer failed) whose trouble came last; for join(), only closed pools (not executors)
 * qualify, since join() needs close() first. Records of a dying pool may land just after the
 * deadlock is declared, so no time bound is applied.
 */
function suspect(t: TraceIndex, waitName: string | undefined, deaths: WorkerDeath[]): PoolInfo | undefined {
  let best: PoolInfo | undefined;
  let bestAt = -Infinity;
  for (const pool of t.store.pools.values()) {
    if (waitName === 'join' && (isExecutor(pool.kind) || (pool.closed ?? pool.terminated) === undefined)) continue;
    const lastInit = maxOf(t.failedInits(pool.id), (i) => t.store.col.end[i]);
    const lastLoss = maxOf(
      deaths.filter((d) => d.task >= 0 && lostPending(t, d.task, pool.id)),
      (d) => d.mark.ts,
    );
    const at = Math.max(pool.handlerDied?.ts ?? -Infinity, pool.broken?.ts ?? -Infinity, lastInit, lastLoss);
    if (at > bestAt) [best, bestAt] = [pool, at];
  }
  return best;
}

/** Task span i was lost with its worker, and its job (of `pool`) never became ready. */
function lostPending(t: TraceIndex, i: number, pool: number): boolean {
  const job = t.job(t.store.col.job[i]);
  return t.store.status(i) === 'lost' && job?.pool === pool && job.status === 'pending';
}
