// A pool whose initializer threw, or that broke otherwise, runs none of its tasks
// (SEMANTICS.md A11, B21). The finding points at the initializer, with the cause.
import { brokenError, isExecutor, runsInProcesses, type PoolInfo } from '../../trace/model';
import type { Finding } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, firstLine } from '../text';

export function poolBroken(t: TraceIndex): Finding[] {
  const findings: Finding[] = [];
  for (const pool of t.store.pools.values()) {
    const failedInits = t.failedInits(pool.id);
    if (!pool.broken && failedInits.length === 0) continue;
    const init = failedInits.length ? t.span(failedInits[0]) : undefined;
    const name = pool.initializer ?? init?.name;
    const cause = init ? `initializer \`${name}\` threw ${firstLine(init.text)}${failedInits.length > 1 ? ` (in ${count(failedInits.length, 'worker')})` : ''}` : firstLine(pool.broken?.cause, 'unknown cause');
    findings.push({
      rule: 'pool-broken',
      severity: 'error',
      message: `${pool.kind} is broken: ${cause}; ${consequence(pool)}`,
      site: pool.initializerSite ?? pool.site,
      related: pool.site ? [{ message: `the ${pool.kind} was created here`, site: pool.site }] : [],
      spans: failedInits,
    });
  }
  return findings;
}

function consequence(pool: PoolInfo): string {
  if (isExecutor(pool.kind)) return `every pending${runsInProcesses(pool.kind) ? ' and running' : ''} future failed with ${brokenError(pool.kind)} and later submit() calls throw`;
  const respawns = pool.respawns > 0 ? `; workers were restarted ${count(pool.respawns, 'time')}` : '';
  return `none of its tasks ever runs, no callback fires, and close()+join() never returns${respawns}`;
}
