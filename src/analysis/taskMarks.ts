// Marks a worker leaves against one of its tasks (a rejection nobody handled, a timer or thread
// left running), made into findings the same way: each sits where its stack says it was made, or
// on the task function, and marks made at one place are one finding that points at the lines
// that submitted their tasks.
import { formatSite, type Job, type Mark, type MarkKind, type Site, type Span } from '../trace/model';
import { stackSite } from '../trace/stacks';
import type { RelatedInfo } from './types';
import type { TraceIndex } from './traceIndex';
import { bySite, groupBy } from './text';

const SHOWN_CALLS = 3;

export interface TaskMark {
  mark: Mark;
  /** the task's span index, -1 when the mark names no task the trace holds */
  task: number;
  name?: string;
  job?: Job;
  /** where it was made: its stack's first frame of the user's, else the task function, else the submitting call */
  where?: Site;
}

/** The task a mark names: its span index (-1 when the trace holds none), span and job. */
export function markedTask(t: TraceIndex, mark: Mark): { task: number; span?: Span; job?: Job } {
  const task = t.spanOfTask(mark.task);
  const span = task >= 0 ? t.span(task) : undefined;
  return { task, span, job: span ? t.job(span.job) : undefined };
}

/** The marks of `kind`, grouped by the place they were made at. */
export function taskMarksByPlace(t: TraceIndex, kind: MarkKind): TaskMark[][] {
  const seen = t.store.marks
    .filter((m) => m.kind === kind)
    .map((mark): TaskMark => {
      const { task, span, job } = markedTask(t, mark);
      return { mark, task, name: span?.name, job, where: stackSite(mark.text) ?? job?.fnSite ?? job?.site };
    });
  return groupBy(seen, (r) => (r.where ? formatSite(r.where) : `lane ${r.mark.lane}`));
}

/** The lines that submitted the tasks of a group (the first few), and the task function when the finding is elsewhere. */
export function submittedHere(g: TaskMark[]): RelatedInfo[] {
  const related: RelatedInfo[] = [];
  for (const calls of bySite(g, (r) => r.job?.site).slice(0, SHOWN_CALLS)) {
    const call = calls.items[0].job;
    if (call?.site) related.push({ message: `the ${call.api}() call that submitted ${calls.items.length === 1 ? 'the task' : `${calls.items.length} of them`}`, site: call.site });
  }
  const [{ name, job, where }] = g;
  if (name !== undefined && job?.fnSite && where !== job.fnSite) related.push({ message: `task function \`${name}\` is defined here`, site: job.fnSite });
  return related;
}
