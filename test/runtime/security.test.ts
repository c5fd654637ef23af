// What a run can reach beyond the program's own work: the threads see only the environment the
// program would see (from the editor: without the editor's own variables), no run opens a
// network listener, and the inspector's "Go to source" opens only files the trace names.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { programEnv } from '../../src/extension/programEnv';
import { sourceRefusal } from '../../src/extension/sourceLinks';
import { EXAMPLES, FIXTURES, ROOT, runFile, type Run } from './helpers';

const FIXTURE = resolve(FIXTURES, 'faults', 'env-and-listeners.ts');

/** Sockets of process `pid` that listen (TCP), are bound (UDP) or accept (Unix), by /proc. */
function listeners(pid: number | 'self'): string[] {
  const mine = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) mine.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const out: string[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${proto}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && mine.has(f[9]) && (proto.startsWith('udp') || f[3] === '0A')) out.push(`${proto} ${f[1]}`);
    }
  }
  for (const line of readFileSync(`/proc/${pid}/net/unix`, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // Flags 0x10000: __SO_ACCEPTCON, a listening socket.
    if (f.length > 6 && mine.has(f[6]) && (parseInt(f[3], 16) & 0x10000) !== 0) out.push(`unix ${f[7] ?? '(unnamed)'}`);
  }
  return out;
}

const names = (run: Run, who: 'main' | 'task') => JSON.parse(run.lines.find((l) => l.text.startsWith(`${who}: `))!.text.slice(who.length + 2)) as string[];

describe('what a run can reach', function () {
  this.timeout(300_000);
  let gateDir: string;
  beforeEach(() => {
    gateDir = mkdtempSync(join(tmpdir(), 'poolscope-gate-'));
    process.env.POOLSCOPE_TEST_GATE = join(gateDir, 'open');
  });
  afterEach(() => {
    delete process.env.POOLSCOPE_TEST_GATE;
    rmSync(gateDir, { recursive: true, force: true });
  });

  /** Runs the fixture in this process with `env`; at its gate, reads this process's listeners, then opens the gate. */
  async function runAtGate(env?: NodeJS.ProcessEnv): Promise<{ run: Run; before: string[]; during: string[] }> {
    const before = listeners('self');
    let during: string[] = [];
    const run = await runFile(FIXTURE, {
      env,
      onLog: (line) => {
        if (line.text !== 'at the gate') return;
        during = listeners('self');
        writeFileSync(process.env.POOLSCOPE_TEST_GATE!, '');
      },
    });
    assert.equal(run.outcome, 'returned', run.error?.message);
    return { run, before, during };
  }

  it("from the editor, main and the pool's threads see the environment less the editor's own variables", async () => {
    const editorHost = {
      ...process.env,
      VSCODE_IPC_HOOK: '/tmp/vscode-ipc.sock',
      VSCODE_NLS_CONFIG: '{}',
      ELECTRON_RUN_AS_NODE: '1',
      NODE_OPTIONS: '--require /editor/loader.js',
      POOLSCOPE_USER_VAR: 'kept',
    };
    const { run } = await runAtGate(programEnv(editorHost));
    const expected = Object.keys(programEnv(editorHost)).sort();
    assert.deepEqual(names(run, 'main'), expected);
    assert.deepEqual(names(run, 'task'), expected);
    assert.ok(expected.includes('POOLSCOPE_USER_VAR') && !expected.some((k) => /^(VSCODE_|ELECTRON_|NODE_OPTIONS$)/.test(k)));
  });

  it('from the command line, they see exactly the environment poolscope was started with', async () => {
    const { run } = await runAtGate();
    const expected = Object.keys(process.env).sort();
    assert.deepEqual(names(run, 'main'), expected);
    assert.deepEqual(names(run, 'task'), expected);
  });

  it('a run opens no network listener, in this process or in the CLI', async () => {
    const { before, during } = await runAtGate();
    assert.deepEqual(during, before);
    // A gate of its own: the one above is open already.
    const gate = join(gateDir, 'open-cli');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.mjs'), 'run', FIXTURE], { cwd: ROOT, env: { ...process.env, POOLSCOPE_TEST_GATE: gate } });
    const ended = new Promise((r) => child.on('exit', r));
    await new Promise<void>((r) => child.stdout.on('data', (d) => String(d).includes('│ at the gate') && r()));
    const cli = listeners(child.pid!);
    writeFileSync(gate, '');
    await ended;
    assert.deepEqual(cli, []);
  });

  it('"Go to source" opens only files the trace names, by plain absolute path', async () => {
    const file = resolve(EXAMPLES, 'callback-throws.ts');
    const run = await runFile(file);
    const shown = { file, store: run.store, findings: run.findings };
    assert.equal(sourceRefusal(shown, file), undefined);
    assert.equal(sourceRefusal(shown, resolve(EXAMPLES, 'callback-blocks.ts')), 'the trace does not name it');
    assert.equal(sourceRefusal(shown, '/etc/passwd'), 'the trace does not name it');
    assert.equal(sourceRefusal(shown, `${dirname(file)}/../examples/callback-throws.ts`), 'not a plain absolute path');
    assert.equal(sourceRefusal(shown, 'examples/callback-throws.ts'), 'not a plain absolute path');
    assert.equal(sourceRefusal(undefined, file), 'no run is shown');
  });
});
