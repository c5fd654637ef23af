// Structured clone carries a task's arguments to its worker and its result back, and keeps no
// class: an instance arrives as a plain object, its methods, getters and #private fields gone,
// with no error (Python's pickle keeps an object's class, or fails loudly). The runtime tells
// each function's argument or result, and class, once; the finding sits on the call that
// submitted the task for an argument, and on the task function for a result.
import type { Finding, RelatedInfo } from '../types';
import type { TraceIndex } from '../traceIndex';
import { markedTask } from '../taskMarks';

export function classLost(t: TraceIndex): Finding[] {
  return (
    t.store.marks
      .filter((m) => m.kind === 'reshaped')
      // In the order they happened: threads' records reach the store in no set order.
      .sort((a, b) => a.ts - b.ts)
      .map((mark): Finding => {
        const { task, span, job } = markedTask(t, mark);
        const text = mark.text ?? 'a value was an instance of a class';
        const result = text.startsWith('the result');
        const call = job ? `${job.api}()` : 'a pool call';
        const what = result ? text.replace(/^the result/, `the result of task \`${span?.name ?? '?'}\``) : text.replace(/^((?:argument|item) \d+)/, `$1 of ${call}`);
        const message = `${what}; it arrived ${result ? 'in main' : 'in the task'} as a plain object: its class, #private fields and getters are gone (Python's pickle would have kept them, or failed)`;
        const related: RelatedInfo[] = [];
        if (result && job?.site) related.push({ message: `the ${call} call that submitted the task`, site: job.site });
        if (!result && job?.fnSite && span) related.push({ message: `task function \`${span.name}\` is defined here`, site: job.fnSite });
        return { rule: 'class-lost', severity: 'warning', message, site: result ? (job?.fnSite ?? job?.site) : job?.site, related, spans: task >= 0 ? [task] : [] };
      })
  );
}
