// A span's fields as columns of numbers, with strings interned (id 0: none). The host's
// store and the view's copy both keep spans so; this reads one row back as a Span.
import { CALLBACK_KINDS, SPAN_KINDS, SPAN_STATUSES, parseSite, type Span } from './model';

export type SpanField = 'lane' | 'kind' | 'status' | 'start' | 'end' | 'queued' | 'taskId' | 'job' | 'name' | 'api' | 'site' | 'site2' | 'text' | 'args' | 'cbKind' | 'cpu' | 'cpuWait';
export type SpanColumns = Record<SpanField, ArrayLike<number>>;

export function spanAt(c: SpanColumns, strings: readonly string[], i: number): Span {
  const opt = (id: number) => (id === 0 ? undefined : strings[id]);
  const q = c.queued[i];
  const cb = c.cbKind[i];
  const cpu = c.cpu[i];
  const cpuWait = c.cpuWait[i];
  return {
    index: i,
    lane: c.lane[i],
    kind: SPAN_KINDS[c.kind[i]],
    status: SPAN_STATUSES[c.status[i]],
    name: strings[c.name[i]] ?? '',
    start: c.start[i],
    end: c.end[i],
    queued: Number.isNaN(q) ? undefined : q,
    taskId: c.taskId[i],
    job: c.job[i],
    api: opt(c.api[i]),
    site: parseSite(opt(c.site[i])),
    site2: parseSite(opt(c.site2[i])),
    text: opt(c.text[i]),
    cbKind: cb < 0 ? undefined : CALLBACK_KINDS[cb],
    args: opt(c.args[i]),
    cpu: cpu < 0 ? undefined : cpu,
    cpuWait: cpuWait < 0 ? undefined : cpuWait,
  };
}
