// Main ended while a pool was still open: its workers outlive main and queued work may be cut
// off. Python's answer is close()+join() / shutdown() or a `with` block; ours is the same or
// `await using`.
import { isExecutor } from '../../trace/model';
import type { Finding } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count } from '../text';

export function poolNotClosed(t: TraceIndex): Finding[] {
  // A trace whose records stopped before the end cannot tell a pool closed after that.
  if (t.store.meta.recordsStopped) return [];
  const end = t.store.marks.find((m) => m.kind === 'main-returned' || m.kind === 'main-threw');
  if (!end) return [];
  const how = end.kind === 'main-returned' ? 'main returned' : 'main threw';
  const findings: Finding[] = [];
  for (const pool of t.store.pools.values()) {
    const closedAt = Math.min(pool.closed ?? Infinity, pool.terminated ?? Infinity, pool.shutdown ?? Infinity);
    if (closedAt <= end.ts) continue;
    const unfinished = t.poolWork(pool.id).pending;
    const fix = isExecutor(pool.kind) ? 'call shutdown()' : 'call close() and join()';
    const cut = unfinished > 0 ? `, with ${count(unfinished, 'job')} unfinished` : '';
    findings.push({
      rule: 'pool-not-closed',
      severity: unfinished > 0 ? 'warning' : 'info',
      message: `${pool.kind} created here was still open when ${how}${cut}; ${fix}, or create it with \`await using\``,
      site: pool.site,
      related: [],
      spans: [],
    });
  }
  return findings;
}
