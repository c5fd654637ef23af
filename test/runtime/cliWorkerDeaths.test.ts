// `poolscope view` of a saved trace of a process Pool whose worker was killed: the built CLI
// reads the file and prints what a run would have, the pids per lane, the lost task and the
// worker-crashed and deadlock findings as file:line:col lines.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromeTraceText } from '../../src/trace/chromeTrace';
import { KILLED, poolWorkerKilled } from '../unit/workerScenarios';
import { cli } from './helpers';

describe('poolscope view of a process Pool whose worker was killed', function () {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'poolscope-view-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the pids of each lane, the lost task and the findings, as a run would', () => {
    const file = join(dir, 'killed.json');
    writeFileSync(file, [...chromeTraceText(poolWorkerKilled().store)].join(''));
    const r = cli(['view', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /· 1 tasks issued, 0 failed, 1 lost with their worker ──$/m);
    assert.match(r.stdout, /^Worker 1 .* 5001 \(killed by SIGKILL\) → 5003$/m);
    assert.match(r.stdout, /^Worker 2 .* 5002$/m);
    const site = `${KILLED.crunch.file}:${KILLED.crunch.line}:${KILLED.crunch.col}`;
    assert.ok(
      r.stdout
        .split('\n')
        .some((l) => l.startsWith(`${site}: error: Worker 1 (pid 5001) of the Pool was killed by SIGKILL while running \`crunch\``) && l.endsWith('[worker-crashed]')),
      r.stdout,
    );
    assert.match(r.stdout, /: error: main can never return from get\(\): .* \[deadlock\]$/m);
  });
});
