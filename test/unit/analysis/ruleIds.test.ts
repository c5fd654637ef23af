// The rule ids have one definition (src/analysis/ruleIds.ts). The extension's `poolscope.findings`
// setting is declared in package.json, which cannot import it: this holds the manifest to it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RULES, RULE_IDS } from '../../../src/analysis/ruleIds';

const ROOT = join(__dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const findingsSetting = manifest.contributes.configuration.properties['poolscope.findings'];

describe('rule ids', () => {
  it("package.json's poolscope.findings lists every rule, in order, with its description and on by default", () => {
    assert.deepEqual(
      findingsSetting.properties,
      Object.fromEntries(RULE_IDS.map((id) => [id, { type: 'boolean', default: true, markdownDescription: RULES[id] }])),
      'package.json contributes.configuration poolscope.findings.properties must be exactly src/analysis/ruleIds.ts RULES',
    );
    assert.deepEqual(Object.keys(findingsSetting.properties), RULE_IDS, 'in the order of ruleIds.ts');
    assert.deepEqual(findingsSetting.default, Object.fromEntries(RULE_IDS.map((id) => [id, true])));
    assert.deepEqual(Object.keys(findingsSetting.default), RULE_IDS);
    assert.equal(findingsSetting.additionalProperties, false, 'a misspelt rule in settings is flagged by the editor');
  });

  it('every rule has its own file in src/analysis/rules and its own unit test, named by its id', () => {
    const names = (dir: string, suffix: string) =>
      readdirSync(join(ROOT, dir))
        .filter((f) => f.endsWith(suffix))
        .map((f) => f.slice(0, -suffix.length))
        .sort();
    assert.deepEqual(names('src/analysis/rules', '.ts'), [...RULE_IDS].sort());
    const tested = new Set(names('test/unit/analysis', '.test.ts'));
    assert.deepEqual(
      RULE_IDS.filter((id) => !tested.has(id)),
      [],
    );
  });
});
