// Reading a recorded stack text (an error's, a rejection's): its message, and where it happened
// in the user's code, for findings and run outcomes to point at.
import { fileURLToPath } from 'node:url';
import type { Site } from './model';

/** The first line of a text: an error's message without its stack. */
export function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n', 1)[0];
}

/**
 * The innermost frame of a stack that names a file of the user's: not Node's own (node:),
 * not an installed package (node_modules), not eval'd code. File URLs become paths.
 */
export function stackSite(stack: string | undefined): Site | undefined {
  for (const line of stack?.split('\n') ?? []) {
    const m = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!m || m[1].startsWith('node:') || m[1] === '<anonymous>' || /[\\/]node_modules[\\/]/.test(m[1])) continue;
    let file = m[1];
    if (file.startsWith('file:')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue; // a file URL of another platform
      }
    }
    return { file, line: Number(m[2]), col: Number(m[3]) };
  }
  return undefined;
}
