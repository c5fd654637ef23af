// A promise that rejects inside a task with nothing to handle it (no await, no catch) takes its
// error nowhere: the task may still return, and no get(), callback or future ever sees the
// error. Node would end a plain worker over it. The finding sits where the rejection was made
// (the first frame of the user's in its stack) and points at the line that submitted the task.
// Rejections made at one place are one finding.
import type { Finding } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, errorLine } from '../text';
import { submittedHere, taskMarksByPlace } from '../taskMarks';

export function unhandledRejection(t: TraceIndex): Finding[] {
  return taskMarksByPlace(t, 'unhandled').map((g): Finding => {
    const [{ mark, name, where }] = g;
    const error = errorLine(mark.text, 'a rejection without a reason');
    const inWhat = name !== undefined ? `task \`${name}\`` : `${t.lane(mark.lane)?.name ?? 'a lane'}`;
    const message =
      g.length === 1
        ? `a promise rejected in ${inWhat} and nothing handled it: ${error}; no get(), callback or future saw this error`
        : `${count(g.length, 'promise rejection')} in ${name !== undefined ? `tasks of \`${name}\`` : inWhat} went unhandled (first: ${error}); no get(), callback or future saw these errors`;
    return { rule: 'unhandled-rejection', severity: 'warning', message, site: where, related: submittedHere(g), spans: g.filter((r) => r.task >= 0).map((r) => r.task) };
  });
}
