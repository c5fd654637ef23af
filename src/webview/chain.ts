// The causal chain of a job, as the details pane lists it and the canvas draws it:
// submitted on Main -> ran on a worker -> its callback on the Callback lane -> the waiter on
// Main released. A task whose worker died ends the chain where it died, unless the pool failed
// the job for it (a broken executor). Each step carries the delay between the two moments it joins.
import { K_TASK, S_CANCELLED, S_ERROR, S_LOST, S_OK, type TraceData } from './traceData';

export interface ChainPoint {
  what: 'submit' | 'run' | 'cancelled' | 'dropped' | 'lost' | 'callback' | 'release';
  label: string;
  row: number;
  t: number;
  /** where the step that leaves this point starts (a span's end), when it differs from t */
  leaveAt?: number;
  span?: number;
}

export interface ChainStep {
  from: ChainPoint;
  to: ChainPoint;
  /** from the moment the previous step left its point to this point */
  delay: number;
  label: string;
}

export interface Chain {
  job: number;
  points: ChainPoint[];
  steps: ChainStep[];
}

const STEP_LABEL: Record<ChainPoint['what'], string> = {
  submit: 'submitted',
  run: 'queued',
  cancelled: 'queued until cancelled',
  dropped: 'queued until its pool dropped it',
  lost: 'ran until its worker died',
  callback: 'callback waited',
  release: 'waiter released after',
};

/**
 * What became of a task taken off its queue, if not a cancel: its pool broke or was terminated
 * (a mark of that pool at or before the drop), and the program saw no cancellation.
 */
function droppedBy(d: TraceData, task: number): 'broke' | 'was terminated' | undefined {
  const pool = d.rows[d.rowOf(task)]?.pool;
  let cause: 'broke' | 'was terminated' | undefined;
  for (const m of d.marks) {
    if (m.ts > d.cols.start[task]) break;
    if (m.pool === pool && m.kind === 'broken') cause = 'broke';
    else if (m.pool === pool && m.kind === 'terminate') cause = 'was terminated';
  }
  return cause;
}

export function causalChain(d: TraceData, selected: number): Chain | undefined {
  const job = d.cols.job[selected];
  if (job < 0) return undefined;
  const { start, end } = d.cols;
  const mainRow = d.rows.findIndex((l) => l.kind === 'main');
  const cbRow = d.rows.findIndex((l) => l.kind === 'callback');
  const jobInfo = d.job(job);
  const tasks = d.spansOfJob(job, 'task');
  // The task whose end released the job: the selected one, or the one that finished last.
  const task = d.cols.kind[selected] === K_TASK ? selected : tasks.reduce<number | undefined>((a, t) => (a === undefined || end[t] > end[a] ? t : a), undefined);
  const points: ChainPoint[] = [];
  const submitted = task !== undefined && !Number.isNaN(d.cols.queued[task]) ? d.cols.queued[task] : jobInfo?.submitted;
  if (submitted !== undefined && mainRow >= 0)
    points.push({ what: 'submit', label: `${jobInfo?.api ?? (d.str(d.cols.api[task ?? selected]) || 'submit')} on Main`, row: mainRow, t: submitted });
  const dropped = task !== undefined && d.cols.status[task] === S_CANCELLED ? droppedBy(d, task) : undefined;
  if (task !== undefined && dropped)
    points.push({ what: 'dropped', label: `${d.name(task)} never ran: the pool ${dropped} before a worker took it`, row: d.rowOf(task), t: start[task], span: task });
  else if (task !== undefined && d.cols.status[task] === S_CANCELLED)
    points.push({ what: 'cancelled', label: `${d.name(task)} cancelled before a worker took it`, row: d.rowOf(task), t: start[task], span: task });
  else if (task !== undefined)
    points.push({ what: 'run', label: `${d.name(task)} on ${d.rows[d.rowOf(task)]?.name ?? 'a worker'}`, row: d.rowOf(task), t: start[task], leaveAt: end[task], span: task });
  if (task !== undefined && d.cols.status[task] === S_LOST) {
    // How long it ran before its worker died: from its start, not its end.
    points[points.length - 1].leaveAt = undefined;
    points.push({ what: 'lost', label: `its worker died: ${d.str(d.cols.text[task]).split('\n', 1)[0] || 'no result'}`, row: d.rowOf(task), t: end[task] });
  }
  const callbacks = d.spansOfJob(job, 'callback');
  const cb = callbacks.length ? callbacks[callbacks.length - 1] : undefined;
  if (cb !== undefined && cbRow >= 0) points.push({ what: 'callback', label: `${d.name(cb)} on Callback`, row: cbRow, t: start[cb], leaveAt: end[cb], span: cb });
  const waits = d.spansOfJob(job, 'wait');
  const after = points.length ? (points[points.length - 1].leaveAt ?? points[points.length - 1].t) : 0;
  // Only a wait the job's outcome ended released its waiter: not one that timed out or never returned.
  const ended = waits.filter((w) => d.cols.status[w] === S_OK || d.cols.status[w] === S_ERROR);
  const wait = ended.find((w) => end[w] >= after) ?? ended[ended.length - 1];
  if (wait !== undefined && mainRow >= 0) points.push({ what: 'release', label: `${d.name(wait)} returned on Main`, row: mainRow, t: end[wait], span: wait });
  else if (jobInfo?.readyAt !== undefined && mainRow >= 0) points.push({ what: 'release', label: 'ready (no waiter)', row: mainRow, t: jobInfo.readyAt });
  const steps: ChainStep[] = [];
  for (let k = 1; k < points.length; k++) {
    const from = points[k - 1],
      to = points[k];
    steps.push({ from, to, delay: to.t - (from.leaveAt ?? from.t), label: STEP_LABEL[to.what] });
  }
  return { job, points, steps };
}
