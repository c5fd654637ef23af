// A task bundle exports one thing: the task file's module namespace, as an object. Read from
// the bundle's own export list, functions a file exports the CommonJS way would be missing:
// a CommonJS task file is only a `default` there, and `export * from './helper.cjs'` adds no
// names at all, since which names a CommonJS module has is known only once it has run.
// Imported as a namespace, the file has every export it has at run time, whatever its format.

export const TASK_MODULE = 'taskModule';

/** The entry module of a task bundle: the task file at `file`, re-exported as a namespace. */
export function bundleEntry(file: string): string {
  return `import * as m from ${JSON.stringify(file)};\nexport { m as ${TASK_MODULE} };\n`;
}

/** What the task file exports, from the namespace of its bundle. */
export function taskExports(bundle: Record<string, unknown>): Record<string, unknown> {
  return bundle[TASK_MODULE] as Record<string, unknown>;
}
