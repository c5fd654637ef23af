// What `poolscope run` prints after the program's output: a summary and the findings, one
// per line as file:line:col: severity: message [rule], which terminals and editors link.
import type { Finding } from '../analysis';
import { formatSite } from '../trace/model';
import type { TraceStore } from '../trace/store';
import type { RunError } from '../runtime/host/run';
import { laneStats, type LaneStats } from './laneStats';

export function findingLine(f: Finding): string {
  const where = f.site ? `${formatSite(f.site)}: ` : '';
  return `${where}${f.severity}: ${f.message.split('\n')[0]} [${f.rule}]`;
}

/** 'off': the run was made with --no-trace, so tasks, callbacks and waits were not recorded. */
export type Recording = 'on' | 'off';

export function textReport(store: TraceStore, findings: Finding[], error: RunError | undefined, recording: Recording = 'on'): string {
  const out: string[] = [];
  const ms = (store.end / 1000).toFixed(1);
  const notKept = store.notKept;
  let tasks = notKept.tasks;
  for (const j of store.jobs.values()) tasks += j.tasks.length;
  let failed = notKept.failed;
  let lost = notKept.lost;
  let cancelled = 0;
  let unrun = notKept.dropped;
  for (let i = 0; i < store.spanCount; i++) {
    if (store.kind(i) !== 'task') continue;
    const status = store.status(i);
    if (status === 'error') failed++;
    else if (status === 'lost') lost++;
    // Dropped from the queue: by cancel(), or by a pool that broke or was terminated, whose
    // futures fail or never complete: the program saw no cancellation there.
    else if (status === 'cancelled' && store.jobs.get(store.col.job[i])?.status === 'cancelled') cancelled++;
    else if (status === 'cancelled') unrun++;
  }
  const counts =
    recording === 'off'
      ? 'tasks, callbacks and waits not recorded (--no-trace)'
      : `${tasks} tasks issued, ${failed} failed${lost ? `, ${lost} lost with their worker` : ''}${cancelled ? `, ${cancelled} cancelled` : ''}${unrun ? `, ${unrun} never ran` : ''}`;
  out.push('', `── poolscope: ${store.meta.outcome} after ${ms} ms · ${counts} ──`);
  if (notKept.any) out.push(notKeptLine(store, tasks));
  if (error && store.meta.outcome !== 'returned') {
    const where = error.site ? `${formatSite(error.site)}: ` : '';
    out.push(`${where}${error.message}`);
    // A value that is not an Error has no stack beyond its one line, shown already.
    if (error.stack && error.stack !== error.message && store.meta.outcome === 'threw') out.push(error.stack);
  } else if (store.meta.stoppedAt) {
    // A trace read back (view) has no error of its run at hand, but keeps where main's own code was.
    out.push(`${formatSite(store.meta.stoppedAt)}: main was here when the run ${store.meta.outcome === 'timeout' ? 'ran out of time' : 'was stopped'}`);
  }
  const stopped = store.meta.recordsStopped;
  if (stopped)
    out.push(
      `the trace stops at ${(stopped.ts / 1000).toFixed(1)} ms: ${stopped.why}; what came after is not in it (but how the run ended), and the findings that read the run's end are not made`,
    );
  const stats = laneStats(store);
  if (stats.length) {
    // The lost column only when a worker died with a task, the processes column only for process pools.
    const withLost = stats.some((s) => s.lost > 0);
    const withProcesses = stats.some((s) => s.processes);
    out.push(`lane          busy    wait   spans  failed${withLost ? '    lost' : ''}${withProcesses ? '  processes (pid)' : ''}`.trimEnd());
    for (const s of stats) {
      const lostCol = withLost ? `  ${String(s.lost).padStart(6)}` : '';
      const processes = s.processes ? `  ${processList(s.processes)}` : '';
      out.push(
        `${s.lane.padEnd(12)} ${s.busyPct.toFixed(1).padStart(5)}%  ${s.waitPct.toFixed(1).padStart(5)}%  ${String(s.spans).padStart(6)}  ${String(s.failed).padStart(6)}${lostCol}${processes}`,
      );
    }
  }
  const none = recording === 'off' ? 'no findings (with recording off, only deadlocks can be found)' : 'no findings';
  out.push(findings.length ? `${findings.length} finding${findings.length > 1 ? 's' : ''}:` : none);
  for (const f of findings) {
    out.push(findingLine(f));
    for (const r of f.related) out.push(`    ${r.site ? formatSite(r.site) + ': ' : ''}${r.message}`);
  }
  return out.join('\n');
}

/** What the store counted but did not keep: in the figures above, not drawn, not in the findings. */
function notKeptLine(store: TraceStore, tasks: number): string {
  const n = store.notKept;
  const from = n.byBudget && n.firstTask > 0 ? ` from task ${n.firstTask.toLocaleString('en-US')} on (issued at ${(n.firstTs / 1e6).toFixed(1)} s)` : '';
  return `not kept in memory: ${n.tasks.toLocaleString('en-US')} of ${tasks.toLocaleString('en-US')} tasks${from}, ${n.reason}: counted in these figures, not drawn and not in the findings`;
}

const SHOWN_PROCESSES = 4;

/** A lane's processes, oldest first, each with how it died if it did: '5001 (killed by SIGKILL) → 5003'. A long line of respawns shows its ends. */
function processList(processes: NonNullable<LaneStats['processes']>): string {
  const text = processes.map((p) => `${p.pid ?? '?'}${p.died ? ` (${p.died})` : ''}`);
  const shown = text.length <= SHOWN_PROCESSES ? text : [...text.slice(0, 2), `… ${text.length - 3} more`, text[text.length - 1]];
  return shown.join(' → ');
}

export function jsonReport(store: TraceStore, findings: Finding[], error: RunError | undefined, recording: Recording = 'on'): string {
  return JSON.stringify(
    {
      file: store.meta.file,
      outcome: store.meta.outcome,
      durationMs: store.end / 1000,
      recording,
      error,
      ...(store.meta.stoppedAt ? { stoppedAt: store.meta.stoppedAt } : {}),
      ...(store.meta.recordsStopped ? { recordsStopped: store.meta.recordsStopped } : {}),
      // The program's own output, which --json keeps off stdout so that stdout is one JSON value;
      // in time order, as the text report prints it (each thread's lines arrive in turn).
      output: [...store.logs].sort((a, b) => a.ts - b.ts).map((l) => ({ lane: store.laneById(l.lane)?.name ?? `lane ${l.lane}`, stream: l.stream, ms: l.ts / 1000, text: l.text })),
      stats: { lanes: laneStats(store), jobs: store.jobs.size, spans: store.spanCount },
      ...(store.notKept.any ? { notKept: { tasks: store.notKept.tasks, firstTask: store.notKept.firstTask, reason: store.notKept.reason } } : {}),
      findings,
    },
    null,
    2,
  );
}
