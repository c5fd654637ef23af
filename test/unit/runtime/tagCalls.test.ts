// A compiled task file gets the user's own API calls tagged with their sites, and nothing else: not
// a package's calls, not the links of an optional chain. A tag's site is what the source map of
// the tagged bundle gives for the method's name, as a stack walk there would map it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, type AnyNode } from 'acorn';
import { simple } from 'acorn-walk';
import { bundleSites } from '../../../src/runtime/sites/bundleSites';
import { compileTaskFile, type Compiled } from '../../../src/runtime/compile/compile';
import { tagBundleFile } from '../../../src/runtime/compile/tagCalls';
import { TAG_FN } from '../../../src/runtime/sites/siteTag';

const TASK = `import { ThreadPool } from 'poolscope';
import { lookup } from 'lookup-pkg';

export const id = (x: number) => x;

export async function main(): Promise<void> {
  const pool = new ThreadPool();
  const m = new Map([['k', 1]]);
  const maybe: Map<string, number> | undefined = undefined;
  await pool.applyAsync(id, [lookup(m, 'k'), maybe?.get('k')]).get();
  pool
    .close();
}
`;

const PACKAGE = `exports.lookup = function lookup(m, k) {
  return m.get(k);
};
`;

/** Each tag in a bundle, with the method name (and its 0-based position) of the call it tags. */
function tags(code: string): { id: number; method: string; line0: number; col0: number }[] {
  const found: { id: number; method: string; line0: number; col0: number }[] = [];
  simple(parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }), {
    CallExpression(node) {
      const callee = node.callee;
      if (callee.type !== 'MemberExpression' || callee.property.type !== 'Identifier') return;
      const tag = callee.object as AnyNode;
      if (tag.type !== 'CallExpression' || tag.callee.type !== 'Identifier' || tag.callee.name !== TAG_FN) return;
      const id = tag.arguments[0];
      assert.ok(id.type === 'Literal' && typeof id.value === 'number');
      found.push({ id: id.value, method: callee.property.name, line0: callee.property.loc!.start.line - 1, col0: callee.property.loc!.start.column });
    },
  });
  return found;
}

describe('tagging call sites in a compiled task file', () => {
  let dir: string;
  let task: string;
  let compiled: Compiled;
  let sites: string[];
  let code: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poolscope-tag-'));
    task = join(dir, 'task.ts');
    writeFileSync(task, TASK);
    mkdirSync(join(dir, 'node_modules', 'lookup-pkg'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'lookup-pkg', 'package.json'), '{ "name": "lookup-pkg", "main": "index.js" }');
    writeFileSync(join(dir, 'node_modules', 'lookup-pkg', 'index.js'), PACKAGE);
    compiled = await compileTaskFile(task);
    sites = tagBundleFile(compiled.bundle).sites;
    code = readFileSync(compiled.bundle, 'utf8');
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
    if (compiled) rmSync(dirname(compiled.bundle), { recursive: true, force: true });
  });

  it("tags the user's calls, each with the site of its method's name in the source", () => {
    const lines = TASK.split('\n');
    /** The site of the call written `call` (from its dot on): where its method's name is. */
    const at = (call: string) => {
      const line = lines.findIndex((l) => l.includes(call));
      return `${task}:${line + 1}:${lines[line].indexOf(call) + 2}`;
    };
    const found = tags(code);
    assert.deepEqual(found.map((t) => t.method).sort(), ['applyAsync', 'close', 'get']);
    const byMethod = Object.fromEntries(found.map((t) => [t.method, sites[t.id]]));
    assert.deepEqual(byMethod, {
      applyAsync: at('.applyAsync('),
      get: at('.get();'),
      close: at('.close();'),
    });
  });

  it("gives each tag the site the tagged bundle's own source map gives its method's name", () => {
    const siteOf = bundleSites(JSON.parse(readFileSync(compiled.bundle + '.map', 'utf8')), dirname(compiled.bundle));
    for (const t of tags(code)) assert.equal(siteOf(t.line0, t.col0), sites[t.id], t.method);
  });

  it("leaves a package's calls and an optional chain's untouched", () => {
    assert.match(code, /return m\.get\(k\);/);
    assert.match(code, /maybe\?\.get\("k"\)/);
  });

  it('leaves a bundle of several megabytes untagged, so compiling it stays quick', async () => {
    const big = join(dir, 'big.ts');
    writeFileSync(big, `${TASK}\nexport const table = ${JSON.stringify('x'.repeat(4_500_000))};\n`);
    const out = await compileTaskFile(big);
    try {
      assert.deepEqual(tagBundleFile(out.bundle).sites, []);
      assert.deepEqual(tags(readFileSync(out.bundle, 'utf8')), []);
    } finally {
      rmSync(dirname(out.bundle), { recursive: true, force: true });
    }
  });
});
