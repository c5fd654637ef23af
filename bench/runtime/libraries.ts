// What is measured, in the order the tables list it. Each kind of pool (threads, processes) is
// compared within its kind: its `peer` rows set the "best peer" reference, its `floor` row the
// bare reference.
export type Role = 'floor' | 'peer' | 'ours';
export type Kind = 'thread' | 'process';
export interface Library {
  id: string;
  label: string;
  role: Role;
  kind: Kind;
  /** poolscope's rows: whether the run records its trace */
  traced?: boolean;
  /** poolscope's rows: whether the run keeps its journal on disk as it goes (`--trace x.psrec`) */
  journal?: boolean;
}

export const kinds: readonly Kind[] = ['thread', 'process'];

export const libraries: readonly Library[] = [
  { id: 'bare', label: 'bare worker_threads echo', role: 'floor', kind: 'thread' },
  { id: 'piscina', label: 'piscina', role: 'peer', kind: 'thread' },
  { id: 'tinypool', label: 'tinypool', role: 'peer', kind: 'thread' },
  { id: 'workerpool', label: 'workerpool', role: 'peer', kind: 'thread' },
  { id: 'poolifier', label: 'poolifier', role: 'peer', kind: 'thread' },
  { id: 'poolscope', label: 'poolscope ThreadPool (tracing on)', role: 'ours', kind: 'thread', traced: true },
  { id: 'poolscope-notrace', label: 'poolscope ThreadPool (tracing off)', role: 'ours', kind: 'thread', traced: false },
  { id: 'poolscope-journal', label: 'poolscope ThreadPool (tracing on, journal kept on disk)', role: 'ours', kind: 'thread', traced: true, journal: true },
  { id: 'bare-process', label: 'bare child_process echo (advanced serialization)', role: 'floor', kind: 'process' },
  { id: 'workerpool-process', label: "workerpool (workerType 'process')", role: 'peer', kind: 'process' },
  { id: 'poolifier-cluster', label: 'poolifier FixedClusterPool', role: 'peer', kind: 'process' },
  { id: 'poolscope-pool', label: 'poolscope Pool (tracing on)', role: 'ours', kind: 'process', traced: true },
  { id: 'poolscope-pool-notrace', label: 'poolscope Pool (tracing off)', role: 'ours', kind: 'process', traced: false },
];
