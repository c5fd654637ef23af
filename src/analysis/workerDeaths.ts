// Worker deaths as the rules tell of them: which worker (lane, and pid for a process) ended
// unasked and how, the task it was running, whether its initializer had just failed, and the
// worker that replaced it on its lane.
import { runsInProcesses, type Mark, type PoolInfo } from '../trace/model';
import type { TraceIndex } from './traceIndex';
import { errorLine } from './text';

export interface WorkerDeath {
  mark: Mark;
  pool?: PoolInfo;
  /** 'Worker 2', and its pid for a process: 'Worker 2 (pid 4102)' */
  who: string;
  /** 'was killed by SIGKILL', 'exited with code 3', 'died' */
  how: string;
  /** what the recorded reason's first line says beyond `how` ('' when nothing) */
  reason: string;
  /** span index of the task it was running, or -1 */
  task: number;
  /** it died right after its initializer threw (the pool's initializer failing, not a task) */
  afterFailedInit: boolean;
  /** the worker-start that took over its lane, if one did */
  replacedBy?: Mark;
}

/** `said` without what `how` already says: 'the thread exited with code 3 (process.exit(3))' beyond 'exited with code 3' is 'process.exit(3)'. */
function beyond(said: string, how: string): string {
  const at = said.indexOf(how);
  if (at < 0) return said;
  return said
    .slice(at + how.length)
    .trim()
    .replace(/^\((.*)\)$/, '$1')
    .replace(/^[:;,.-]\s*/, '');
}

export function workerDeaths(t: TraceIndex): WorkerDeath[] {
  const starts = new Map<number, Mark[]>();
  for (const m of t.store.marks) {
    if (m.kind !== 'worker-start') continue;
    const list = starts.get(m.lane);
    if (list) list.push(m);
    else starts.set(m.lane, [m]);
  }
  for (const list of starts.values()) list.sort((a, b) => a.ts - b.ts);
  // A task ended lost with no death recorded for it still died with its worker, there and then,
  // unless its pool ended that worker (terminate(), an executor that broke): a worker-exit is
  // then what the lane tells next.
  const told = new Set(t.store.marks.filter((m) => m.kind === 'worker-died' && m.task !== undefined).map((m) => m.task));
  const untold: Mark[] = t.tasks
    .filter((i) => t.store.status(i) === 'lost' && !told.has(t.store.col.taskId[i]) && !stoppedByPool(t, i))
    .map((i) => {
      const lane = t.store.col.lane[i];
      const text = t.store.str(t.store.col.text[i]);
      return { lane, ts: t.store.col.end[i], kind: 'worker-died', pool: t.lane(lane)?.pool ?? -1, task: t.store.col.taskId[i], ...(text ? { text } : {}) };
    });
  const out: WorkerDeath[] = [];
  for (const mark of [...t.store.marks, ...untold]) {
    if (mark.kind !== 'worker-died') continue;
    const lane = t.lane(mark.lane);
    const pool = t.store.pools.get(mark.pool);
    const onLane = starts.get(mark.lane) ?? [];
    const began = onLane.filter((s) => s.ts <= mark.ts).pop();
    const pid = pool && runsInProcesses(pool.kind) ? began?.pid : undefined;
    const who = `${lane?.name ?? `lane ${mark.lane}`}${pid === undefined ? '' : ` (pid ${pid})`}`;
    const how = mark.signal ? `was killed by ${mark.signal}` : mark.exitCode !== undefined ? `exited with code ${mark.exitCode}` : 'died';
    const reason = beyond(errorLine(mark.text, ''), how.replace(/^was /, ''));
    const task = t.spanOfTask(mark.task);
    const from = began?.ts ?? -Infinity;
    const afterFailedInit =
      task < 0 && t.inits.some((i) => t.store.col.lane[i] === mark.lane && t.store.status(i) === 'error' && t.store.col.start[i] >= from && t.store.col.end[i] <= mark.ts);
    const replacedBy = onLane.find((s) => s.replaces && s.ts >= mark.ts);
    out.push({ mark, pool, who, how, reason, task, afterFailedInit, replacedBy });
  }
  return out;
}

/** Whether the worker running task span `i` was ended by its pool when the task was lost. */
function stoppedByPool(t: TraceIndex, i: number): boolean {
  const lane = t.store.col.lane[i];
  const end = t.store.col.end[i];
  const next = t.store.marks.filter((m) => m.lane === lane && m.ts >= end && (m.kind === 'worker-exit' || m.kind === 'worker-died' || m.kind === 'worker-start'));
  return next.length > 0 && next.reduce((a, b) => (b.ts < a.ts ? b : a)).kind === 'worker-exit';
}
