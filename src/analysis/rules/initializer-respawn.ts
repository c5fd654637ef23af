// A process Pool whose initializer throws does not break: each worker dies, and the Pool
// starts a new one at once, which runs the initializer again and dies again, for as long as
// the pool lives (docs/SEMANTICS.md A11: CPython ran it 105 times in 3 s for 2 workers). None of
// its tasks runs and the machine stays busy. The finding sits on the initializer.
import { stackSite } from '../../trace/stacks';
import type { Finding, RelatedInfo } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, errorLine } from '../text';
import { respawnsAfterFailedInits } from './pool-broken';

export function initializerRespawn(t: TraceIndex): Finding[] {
  const findings: Finding[] = [];
  for (const pool of t.store.pools.values()) {
    if (!respawnsAfterFailedInits(t, pool)) continue;
    const failed = t.failedInits(pool.id);
    const first = t.span(failed[0]);
    const name = pool.initializer ?? first.name;
    const error = errorLine(first.text);
    const outcome = t.poolWork(pool.id).ran > 0 ? '' : ', so none of its tasks ever ran';
    const related: RelatedInfo[] = [];
    const threwAt = stackSite(first.text);
    if (threwAt) related.push({ message: `\`${name}\` first threw ${error} here`, site: threwAt });
    if (pool.site) related.push({ message: `the ${pool.kind} was created here`, site: pool.site });
    findings.push({
      rule: 'initializer-respawn',
      severity: 'error',
      message: `initializer \`${name}\` threw ${error} ${count(failed.length, 'time')}: each time its worker died and the ${pool.kind} started a new one that ran it again (${count(pool.respawns, 'respawn')})${outcome}. A ${pool.kind} goes on replacing dead workers for as long as it is open`,
      site: pool.initializerSite ?? pool.site,
      related,
      spans: failed,
    });
  }
  return findings;
}
