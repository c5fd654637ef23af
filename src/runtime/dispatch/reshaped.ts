// Structured clone, which carries every argument and result between threads and processes,
// keeps no class: an instance arrives as a plain object, without its prototype's methods and
// getters and without its #private fields, and nothing says so (Python's pickle keeps an
// object's class, or fails loudly). Values that are sent are looked at here for instances of
// a class (not the built-ins the clone does keep), a few levels and entries deep, so the run can
// say where a value changed. Primitives cost one typeof; each place and class is told once.
import { Rec } from '../../trace/records';
import { recorder } from '../record/recorder';

/** Prototypes whose instances structured clone rebuilds as they were. */
const KEPT = new Set<unknown>([
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  SharedArrayBuffer.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  null,
]);
const DEPTH = 3;
/** How many values one look may visit, however wide the value is. */
const BUDGET = 64;

let budget = 0;

function classOf(v: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(v);
  if (KEPT.has(proto) || ArrayBuffer.isView(v) || v instanceof Error) return undefined;
  const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name ? name : 'a class without a name';
}

/** The first class instance in `v`, and where in it ('' for `v` itself, '.owner', '[2].owner'). */
function findInstance(v: unknown, depth: number): { cls: string; path: string } | undefined {
  if (typeof v !== 'object' || v === null || --budget < 0) return undefined;
  const cls = classOf(v);
  if (cls !== undefined) return { cls, path: '' };
  if (depth === 0 || v instanceof Map || v instanceof Set || v instanceof Date || v instanceof RegExp) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && budget > 0; i++) {
      const found = findInstance(v[i], depth - 1);
      if (found) return { cls: found.cls, path: `[${i}]${found.path}` };
    }
    return undefined;
  }
  for (const k in v) {
    if (budget <= 0) break;
    const found = findInstance((v as Record<string, unknown>)[k], depth - 1);
    if (found) return { cls: found.cls, path: `.${k}${found.path}` };
  }
  return undefined;
}

/** The first class instance in `v` (within the look's limits), for people: 'an instance of Account', 'an instance of Account at .owner'. */
export function instanceIn(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  budget = BUDGET;
  let found: { cls: string; path: string } | undefined;
  try {
    found = findInstance(v, DEPTH);
  } catch {
    return undefined; // a getter that throws: the clone says so itself
  }
  return found && `an instance of ${found.cls}${found.path && ` at ${found.path}`}`;
}

/** Tells each place (a function's argument or result) and class once per thread. */
export class ReshapedValues {
  private readonly told = new Set<string>();
  /** The thread's recorder, as installed when the value is sent. */
  private get rec() {
    return recorder();
  }

  /** Arguments of a task about to be sent; `items` when they are map()'s items rather than one call's arguments. */
  arguments(lane: number, taskId: number, fnId: number, args: readonly unknown[], items: boolean): void {
    if (!this.rec.tasks) return;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (typeof a !== 'object' || a === null) continue;
      const found = instanceIn(a);
      if (found) this.tell(lane, taskId, `${fnId} ${items ? 'item' : i} ${found}`, `${items ? `item ${i}` : `argument ${i}`} was ${found}`);
    }
  }

  /** A task's result about to be sent. */
  result(lane: number, taskId: number, fnId: number, value: unknown): void {
    if (typeof value !== 'object' || value === null || !this.rec.tasks) return;
    const found = instanceIn(value);
    if (found) this.tell(lane, taskId, `${fnId} result ${found}`, `the result was ${found}`);
  }

  private tell(lane: number, taskId: number, key: string, text: string): void {
    if (this.told.has(key)) return;
    this.told.add(key);
    this.rec.rec(Rec.RESHAPED, lane, taskId, 0, 0, 0, 0, 0, text);
  }
}
