// Stack traces as users should read them: their own frames, not the runtime's.
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
