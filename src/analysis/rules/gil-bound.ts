// Python runs Python code in one thread at a time (the GIL), so CPU-bound tasks in a ThreadPool
// or ThreadPoolExecutor take turns on one core however many workers the pool has. When a
// thread pool's workers ran tasks side by side, yet the CPU time those tasks used (each read on
// its own thread's clock) fits in one core over the time they ran, the threads bought no
// parallelism and a process pool would have. Only runs that measured their tasks' CPU time
// (Python's tracer does; Node has no per-thread CPU clock) can be judged.
//
// CPU-bound tasks must be told from I/O-bound ones, which threads are for: both may get little
// CPU. On a busy machine a GIL-bound pool gets only part of a core, so CPU time alone does not
// tell; what does is the time the tasks were ready to compute, their CPU time plus the time their
// threads were runnable but waiting for a CPU (Linux's run delay, when the tracer could read it).
// A task waiting on I/O is in neither.
import { isExecutor, runsInProcesses, type PoolInfo } from '../../trace/model';
import type { Finding, RelatedInfo } from '../types';
import type { TraceIndex } from '../traceIndex';
import { count, formatDuration, groupBy } from '../text';

/** Tasks running at once, on average over their busy time, for them to count as side by side. */
const SIDE_BY_SIDE = 1.5;
/** CPU time over wall time at most this is one core's worth (slack for the clocks' reading). */
const ONE_CORE = 1.15;
/** Time ready to compute over wall time at least this: the tasks computed rather than waited on I/O. */
const COMPUTING = 0.6;
/** Less time ready to compute than this proves nothing about the pool. */
const MIN_READY_US = 100_000;
/** Waits for a CPU above this share of the busy time are worth telling: the machine was busy too. */
const NOTABLE_WAIT = 0.1;
const SHOWN_SITES = 3;

interface Burst {
  tasks: number[];
  start: number;
  end: number;
  cpu: number;
  /** CPU time plus time runnable but waiting for a CPU (CPU time alone where the wait is unknown) */
  ready: number;
  wall: number;
}

export function gilBound(t: TraceIndex): Finding[] {
  const byPool = new Map<number, number[]>();
  for (const i of t.tasks) {
    if (t.store.col.cpu[i] < 0 || !t.ran(i)) continue;
    const pool = t.poolOfJob(t.store.col.job[i]);
    if (!pool || runsInProcesses(pool.kind)) continue;
    let list = byPool.get(pool.id);
    if (!list) byPool.set(pool.id, (list = []));
    list.push(i);
  }
  const findings: Finding[] = [];
  for (const [id, tasks] of byPool) {
    const bound = bursts(t, tasks).filter((b) => {
      const busy = b.end - b.start;
      return busy > 0 && b.wall / busy >= SIDE_BY_SIDE && b.cpu / busy <= ONE_CORE && b.ready / busy >= COMPUTING;
    });
    if (bound.reduce((n, b) => n + b.ready, 0) < MIN_READY_US) continue;
    findings.push(finding(t, t.store.pools.get(id)!, bound));
  }
  return findings;
}

/** The pool's tasks in groups that ran without a pause between them (their spans overlap or touch). */
function bursts(t: TraceIndex, tasks: number[]): Burst[] {
  const { start: startCol, end: endCol, cpu: cpuCol, cpuWait: cpuWaitCol } = t.store.col;
  const out: Burst[] = [];
  let b: Burst | undefined;
  for (const i of [...tasks].sort((x, y) => startCol[x] - startCol[y])) {
    if (!b || startCol[i] > b.end) out.push((b = { tasks: [], start: startCol[i], end: endCol[i], cpu: 0, ready: 0, wall: 0 }));
    b.tasks.push(i);
    b.end = Math.max(b.end, endCol[i]);
    b.cpu += cpuCol[i];
    b.ready += cpuCol[i] + Math.max(0, cpuWaitCol[i]);
    b.wall += endCol[i] - startCol[i];
  }
  return out;
}

function finding(t: TraceIndex, pool: PoolInfo, bound: Burst[]): Finding {
  const busy = bound.reduce((n, b) => n + b.end - b.start, 0);
  const cpu = bound.reduce((n, b) => n + b.cpu, 0);
  const waited = bound.reduce((n, b) => n + b.ready - b.cpu, 0);
  const tasks = bound.flatMap((b) => b.tasks);
  const workers = new Set(tasks.map((i) => t.store.col.lane[i])).size;
  const processPool = isExecutor(pool.kind) ? 'ProcessPoolExecutor' : 'multiprocessing.Pool';
  const message =
    `${pool.kind}'s ${count(workers, 'worker')} ran ${count(tasks.length, 'task')} side by side for ${formatDuration(busy)}, ` +
    `but those tasks used ${formatDuration(cpu)} of CPU: a parallelism of ${(cpu / busy).toFixed(2)}, at most one core's worth` +
    (waited > NOTABLE_WAIT * busy ? ` (their threads also waited ${formatDuration(waited)} for a CPU that other work on the machine held)` : '') +
    '. ' +
    `Python runs Python code in one thread at a time (the GIL), so CPU-bound tasks gain nothing from more threads: a ${processPool} runs them on every core`;
  const related: RelatedInfo[] = [];
  // By submitting line: a task's site is an interned string, so its id is the line's key.
  for (const g of groupBy(tasks, (i) => t.store.col.site[i]).slice(0, SHOWN_SITES)) {
    const first = t.span(g[0]);
    const used = g.reduce((n, i) => n + t.store.col.cpu[i], 0);
    const ran = g.reduce((n, i) => n + t.duration(i), 0);
    related.push({
      message: `${count(g.length, 'task')} of \`${first.name}\` submitted here ran ${formatDuration(ran)} in all and computed for ${formatDuration(used)} of it`,
      site: first.site,
    });
  }
  return { rule: 'gil-bound', severity: 'warning', message, site: pool.site, related, spans: tasks };
}
