// What a worker's tasks left running when its queue is done: timers, sockets, files. Any of them
// would keep the worker alive after its last task, and a join() waiting on it. (Node does not
// list a Worker a task started, which would too: the worker ends regardless.)

/** Resources of the runtime's own, or on their way out, that may be there in any worker at its end. */
const OWN = new Set(['MessagePort', 'CloseReq']);

/** What is left, for people ('a Timeout', '2 Timeouts and a Worker'), or undefined when nothing is. */
export function lingeringHandles(own: ReadonlySet<string> = OWN): string | undefined {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (!own.has(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  if (counts.size === 0) return undefined;
  const parts = [...counts].map(([name, n]) => (n === 1 ? `a ${name}` : `${n} ${name}s`));
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
