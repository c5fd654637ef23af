// A run's scratch folder (its compiled bundle, a Python run's record files) lives in the
// system's temp folder and is removed when the run ends. A host that is killed (SIGKILL, the
// OOM killer, an editor that crashed) cannot remove its own, so each folder's name carries the
// pid of the host that made it, and every new run first removes the folders of hosts that are
// gone. A pid that was reused keeps its folder until that process ends too: harmless.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'poolscope-';
/** poolscope-<kind>-<pid>-<random>: the kind says what made it, for anyone looking in /tmp. */
const NAME = /^poolscope-[a-z]+-(\d+)-[A-Za-z0-9]{6}$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the scratch folders whose host process no longer exists. */
function sweepRunFolders(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(NAME.exec(name)?.[1]);
    if (pid > 0 && pid !== process.pid && !alive(pid)) rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** A new scratch folder for a run of this process; the caller removes it when the run ends. */
export function makeRunFolder(kind: 'js' | 'py'): string {
  const dir = tmpdir();
  sweepRunFolders(dir);
  return mkdtempSync(join(dir, `${PREFIX}${kind}-${process.pid}-`));
}
