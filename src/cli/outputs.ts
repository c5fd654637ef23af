// The files a run writes (--trace, --html) are checked before the program runs: a typo in
// a folder name must not cost the user a whole run and leave them a raw ENOENT.
import { closeSync, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Why `path` cannot be written, or undefined if it can. Leaves the file system as it found it. */
export function unwritable(path: string): string | undefined {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) return `${abs} is a folder`;
  const dir = dirname(abs);
  if (!existsSync(dir)) return `the folder ${dir} does not exist`;
  if (!statSync(dir).isDirectory()) return `${dir} is not a folder`;
  const existed = existsSync(abs);
  try {
    closeSync(openSync(abs, 'a'));
    if (!existed) unlinkSync(abs);
    return undefined;
  } catch (e) {
    return `cannot write ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}
