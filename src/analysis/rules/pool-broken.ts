// A pool whose initializer threw, or that broke otherwise, runs none of its tasks
// (docs/SEMANTICS.md A11, B21). The finding points at the initializer, with the cause. Two cases
// have rules of their own: a worker that died and broke its pool (worker-crashed), and an
// initializer whose failures the pool answers by respawning workers without ever declaring
// itself broken, as a process Pool does (initializer-respawn).
import { brokenError, isExecutor, runsInProcesses, type PoolInfo } from '../../trace/model';
import type { Finding } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, errorLine } from '../text';
import { workerDeaths } from '../workerDeaths';

export function poolBroken(t: TraceIndex): Finding[] {
  const findings: Finding[] = [];
  const brokenByDeath = new Set(
    workerDeaths(t)
      .filter((d) => d.pool?.broken && d.mark.ts <= d.pool.broken.ts)
      .map((d) => d.mark.pool),
  );
  for (const pool of t.store.pools.values()) {
    const failedInits = t.failedInits(pool.id);
    if (!pool.broken && failedInits.length === 0) continue;
    if (respawnsAfterFailedInits(t, pool) || (failedInits.length === 0 && brokenByDeath.has(pool.id))) continue;
    const init = failedInits.length ? t.span(failedInits[0]) : undefined;
    const name = pool.initializer ?? init?.name;
    const cause = init
      ? `initializer \`${name}\` threw ${errorLine(init.text)}${failedInits.length > 1 ? ` (in ${count(failedInits.length, 'worker')})` : ''}`
      : errorLine(pool.broken?.cause, 'unknown cause');
    findings.push({
      rule: 'pool-broken',
      severity: 'error',
      message: `${pool.kind} is broken: ${cause}; ${brokenConsequence(t, pool)}`,
      site: pool.initializerSite ?? pool.site,
      related: pool.site ? [{ message: `the ${pool.kind} was created here`, site: pool.site }] : [],
      spans: failedInits,
    });
  }
  return findings;
}

/** The pool answered its initializer's failures by starting new workers, and never broke (initializer-respawn's case). */
export function respawnsAfterFailedInits(t: TraceIndex, pool: PoolInfo): boolean {
  return !pool.broken && pool.respawns > 0 && t.failedInits(pool.id).length > 0;
}

/**
 * What a broken pool means for the work given to it. join() waits for the jobs still pending, so
 * it never returns only if one is: a pool that broke after its last task ended lets it return.
 */
export function brokenConsequence(t: TraceIndex, pool: PoolInfo): string {
  if (isExecutor(pool.kind)) return `every pending${runsInProcesses(pool.kind) ? ' and running' : ''} future failed with ${brokenError(pool.kind)} and later submit() calls throw`;
  const { tasks, pending } = t.poolWork(pool.id);
  // A task that started on it, whatever became of it, ran there.
  const ran = Object.entries(tasks).some(([status, n]) => status !== 'cancelled' && n > 0);
  const runs = ran ? 'no task runs on it from then on and no callback fires for those' : 'none of its tasks ever runs, no callback fires';
  const join = pending === 0 ? '; none was pending, so close()+join() returns' : ran ? ', so close()+join() never returns' : ', and close()+join() never returns';
  const respawns = pool.respawns > 0 ? `; workers were restarted ${count(pool.respawns, 'time')}` : '';
  return `${runs}${join}${respawns}`;
}
