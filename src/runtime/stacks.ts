// Stack traces as users should read them: their own frames, not the runtime's.
import { DIST_DIR } from './distPaths';

function isRuntimeFrame(line: string): boolean {
  const l = line.trimStart();
  return l.startsWith('at ') && (l.includes(DIST_DIR) || l.includes('node:internal/') || l.includes('(node:events'));
}

export function userStack(e: unknown): string {
  const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : `Uncaught ${String(e)}`;
  return text
    .split('\n')
    .filter((l) => !isRuntimeFrame(l))
    .join('\n');
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}
