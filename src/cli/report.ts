// What `poolscope run` prints after the program's output: a summary and the findings, one
// per line as file:line:col: severity: message [rule], which terminals and editors link.
import type { Finding } from '../analysis';
import { formatSite } from '../trace/model';
import type { TraceStore } from '../trace/store';
import type { RunError } from '../runtime/host/run';
import { laneStats } from './laneStats';

export function findingLine(f: Finding): string {
  const where = f.site ? `${formatSite(f.site)}: ` : '';
  return `${where}${f.severity}: ${f.message.split('\n')[0]} [${f.rule}]`;
}

export function textReport(store: TraceStore, findings: Finding[], error: RunError | undefined): string {
  const out: string[] = [];
  const ms = (store.end / 1000).toFixed(1);
  const tasks = [...store.jobs.values()].reduce((n, j) => n + j.tasks.length, 0);
  let failed = 0;
  let cancelled = 0;
  for (let i = 0; i < store.spanCount; i++) {
    if (store.kind(i) !== 'task') continue;
    if (store.status(i) === 'error') failed++;
    else if (store.status(i) === 'cancelled') cancelled++;
  }
  const counts = `${tasks} tasks issued, ${failed} failed${cancelled ? `, ${cancelled} cancelled` : ''}`;
  out.push('', `── poolscope: ${store.meta.outcome} after ${ms} ms · ${counts} ──`);
  if (error && store.meta.outcome !== 'returned') {
    const where = error.site ? `${formatSite(error.site)}: ` : '';
    out.push(`${where}${error.message}`);
    if (error.stack && store.meta.outcome === 'threw') out.push(error.stack);
  }
  const stats = laneStats(store);
  if (stats.length) {
    out.push('lane          busy    wait   spans  failed');
    for (const s of stats) {
      out.push(`${s.lane.padEnd(12)} ${s.busyPct.toFixed(1).padStart(5)}%  ${s.waitPct.toFixed(1).padStart(5)}%  ${String(s.spans).padStart(6)}  ${String(s.failed).padStart(6)}`);
    }
  }
  out.push(findings.length ? `${findings.length} finding${findings.length > 1 ? 's' : ''}:` : 'no findings');
  for (const f of findings) {
    out.push(findingLine(f));
    for (const r of f.related) out.push(`    ${r.site ? formatSite(r.site) + ': ' : ''}${r.message}`);
  }
  return out.join('\n');
}

export function jsonReport(store: TraceStore, findings: Finding[], error: RunError | undefined): string {
  return JSON.stringify(
    {
      file: store.meta.file,
      outcome: store.meta.outcome,
      durationMs: store.end / 1000,
      error,
      stats: { lanes: laneStats(store), jobs: store.jobs.size, spans: store.spanCount },
      findings,
    },
    null,
    2,
  );
}
