// A task that returns with a timer or a thread of its own still running (a setInterval, a
// Worker) leaves it in its pool worker, where nothing will ever wait for it. A Python pool's
// worker ends once it takes its sentinel, and so does this one: the pool ended what was left
// with the worker, at close()/join() or terminate(), so whatever it was still to do never
// happened. The finding sits where the timer or thread was made and points at the line that
// submitted the task; what was made at one place is one finding.
import type { Finding } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, errorLine } from '../text';
import { submittedHere, taskMarksByPlace } from '../taskMarks';

export function handleLeaked(t: TraceIndex): Finding[] {
  return taskMarksByPlace(t, 'left-running').map((g): Finding => {
    const [{ mark, name }] = g;
    const what = errorLine(mark.text, 'a timer or thread');
    const lanes = new Set(g.map((r) => r.mark.lane));
    const where = lanes.size === 1 ? (t.lane(mark.lane)?.name ?? 'its worker') : `${lanes.size} workers`;
    const by = name === undefined ? 'a task' : g.length === 1 ? `task \`${name}\`` : `tasks of \`${name}\``;
    const left = g.length === 1 ? `${what} running` : `${count(g.length, 'timer or thread', 'timers or threads')} running (first: ${what})`;
    const message = `${by} left ${left} in ${where} after ${g.length === 1 ? 'it' : 'they'} returned; the pool ended ${g.length === 1 ? 'it' : 'them'} with the worker, as a Python pool's worker ends once it takes its sentinel, so what ${g.length === 1 ? 'it was' : 'they were'} still to do never happened`;
    return { rule: 'handle-leaked', severity: 'warning', message, site: g[0].where, related: submittedHere(g), spans: g.filter((r) => r.task >= 0).map((r) => r.task) };
  });
}
