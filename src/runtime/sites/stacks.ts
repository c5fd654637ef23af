// Stack traces as users should read them: their own frames, not the runtime's.
import { fileURLToPath } from 'node:url';
import type { Site } from '../../trace/model';
import { DIST_DIR } from '../host/distPaths';
import { preview } from '../record/preview';

function isRuntimeFrame(line: string): boolean {
  const l = line.trimStart();
  return l.startsWith('at ') && (l.includes(DIST_DIR) || l.includes('node:internal/') || l.includes('(node:events'));
}

export function userStack(e: unknown): string {
  // A value that is not an Error has no stack: shown as a preview, `{ code: 42 }` rather than
  // `[object Object]`.
  return userFrames(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : `Uncaught ${preview(e)}`);
}

/** A stack's text without the runtime's frames. */
export function userFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((l) => !isRuntimeFrame(l))
    .join('\n');
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}

/** The innermost frame of a user stack that names a file: where the error happened. */
export function stackSite(stack: string): Site | undefined {
  for (const line of stack.split('\n')) {
    const m = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m || m[1].startsWith('node:') || m[1] === '<anonymous>') continue;
    const file = m[1].startsWith('file:') ? fileURLToPath(m[1]) : m[1];
    return { file, line: Number(m[2]), col: Number(m[3]) };
  }
  return undefined;
}
