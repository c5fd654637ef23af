// The view's index of which findings name which spans (src/webview/spanFindings.ts): what the
// tooltip and the details list for a span, and the colour of the mark the lanes draw on it.
import assert from 'node:assert/strict';
import type { WireFinding } from '../../../src/protocol/wire';
import { MarkSeverity, SpanFindings } from '../../../src/webview/spanFindings';

const finding = (severity: WireFinding['severity'], spans: number[]): WireFinding => ({ rule: 'r', severity, message: severity, related: [], spans });

describe('span findings', () => {
  const findings = [finding('warning', [7, 3, 3, 900_000]), finding('error', [3]), finding('info', [5, 1.5, -2])];
  const index = new SpanFindings(findings);

  it("lists a span's findings once each, in the findings' order, whatever order they name spans in", () => {
    assert.deepEqual(index.of(3), [0, 1]);
    assert.deepEqual(index.of(7), [0]);
    assert.deepEqual(index.of(900_000), [0]);
    assert.deepEqual(index.of(4), []);
  });

  it('ignores span indices that cannot be spans', () => {
    assert.deepEqual(index.of(1), []);
    assert.deepEqual(index.of(-2), []);
  });

  it('marks a span by the worst severity naming it, for the spans the view holds', () => {
    const sev = index.severities(findings, 8);
    assert.deepEqual(Array.from(sev), [0, 0, 0, MarkSeverity.Error, 0, MarkSeverity.Warning, 0, MarkSeverity.Warning]);
  });

  it('holds a finding that names a million spans', () => {
    const spans = Array.from({ length: 1_000_000 }, (_, i) => i);
    const big = [finding('warning', spans)];
    const idx = new SpanFindings(big);
    assert.deepEqual(idx.of(999_999), [0]);
    assert.equal(
      idx.severities(big, 1_000_000).every((s) => s === MarkSeverity.Warning),
      true,
    );
  });
});
