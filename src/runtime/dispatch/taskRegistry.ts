// Task functions cross threads by name: a worker imports the task file and looks the
// function up by its export name, as Python's process pools pickle a function by name.
import { badInput, ValueError } from '../api/errors';
import { taskExports } from '../compile/bundleExports';

export interface FnRef {
  url: string;
  name: string;
  /**
   * Small and unique within the registering thread, so a task can name its function by
   * number: a worker that has resolved the function once finds it again by index.
   */
  id: number;
}

const refs = new Map<Function, FnRef>();

/** Makes every function exported by the module at `url` usable as a task. */
export function registerTaskModule(url: string, namespace: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(namespace)) {
    if (typeof value === 'function' && !refs.has(value)) refs.set(value, { url, name, id: refs.size });
  }
}

export function taskRef(fn: unknown, role = 'task function'): FnRef {
  if (typeof fn !== 'function') throw new TypeError(`${role} must be a function, got ${typeof fn}`);
  const ref = refs.get(fn);
  if (!ref) {
    throw badInput(
      new ValueError(
        `${role} \`${fn.name || '<anonymous>'}\` is not exported from the task file: ` + 'workers look task functions up by export name, so add `export` to its definition',
      ),
    );
  }
  return ref;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** In a worker: the function a FnRef names. */
export async function resolveRef(ref: Pick<FnRef, 'url' | 'name'>): Promise<Function> {
  let mod = modules.get(ref.url);
  if (!mod) modules.set(ref.url, (mod = import(ref.url).then(taskExports)));
  const fn = (await mod)[ref.name];
  if (typeof fn !== 'function') throw new ValueError(`\`${ref.name}\` is not a function exported by ${ref.url}`);
  return fn;
}
