// What is measured, in the order the tables list it. `peer` rows set the "best peer" reference,
// the `floor` row the bare reference.
export type Role = 'floor' | 'peer' | 'ours';
export interface Library {
  id: string;
  label: string;
  role: Role;
}

export const libraries: readonly Library[] = [
  { id: 'bare', label: 'bare worker_threads echo', role: 'floor' },
  { id: 'piscina', label: 'piscina', role: 'peer' },
  { id: 'tinypool', label: 'tinypool', role: 'peer' },
  { id: 'workerpool', label: 'workerpool', role: 'peer' },
  { id: 'poolifier', label: 'poolifier', role: 'peer' },
  { id: 'poolscope', label: 'poolscope (tracing on)', role: 'ours' },
  { id: 'poolscope-notrace', label: 'poolscope (tracing off)', role: 'ours' },
];
