// Which findings name which spans, as sorted typed arrays rather than a Map entry per span: one
// finding can name a million spans (every late result of a big run), and the view both looks up
// one span's findings (tooltip, details) and paints the marks of all those in view.
import { bisectLeft } from 'd3-array';
import type { WireFinding } from '../protocol/wire';

/** A span's mark, by the worst severity among the findings that name it. */
export const enum MarkSeverity {
  None,
  Warning,
  Error,
}

export class SpanFindings {
  /** span * stride + finding index, ascending: a span's findings are one run of keys */
  private readonly keys: Float64Array;
  private readonly stride: number;

  constructor(findings: readonly WireFinding[]) {
    this.stride = Math.max(1, findings.length);
    let total = 0;
    for (const f of findings) total += f.spans.length;
    const keys = new Float64Array(total);
    let p = 0,
      sorted = true;
    findings.forEach((f, k) => {
      for (const s of f.spans) {
        if (!Number.isInteger(s) || s < 0) continue;
        const key = s * this.stride + k;
        if (p > 0 && key < keys[p - 1]) sorted = false;
        keys[p++] = key;
      }
    });
    this.keys = keys.subarray(0, p);
    if (!sorted) this.keys.sort();
  }

  /** The indices of the findings that name span i, in the findings' order (empty: none). */
  of(i: number): number[] {
    const keys = this.keys,
      lo = i * this.stride,
      hi = lo + this.stride;
    const out: number[] = [];
    for (let at = bisectLeft(keys, lo); at < keys.length && keys[at] < hi; at++) {
      const k = keys[at] - lo;
      if (out[out.length - 1] !== k) out.push(k);
    }
    return out;
  }

  /** By span (the first n), the worst severity of the findings that name it. */
  severities(findings: readonly WireFinding[], n: number): Uint8Array {
    const out = new Uint8Array(n);
    const keys = this.keys,
      stride = this.stride;
    for (let at = 0; at < keys.length; at++) {
      const i = Math.floor(keys[at] / stride);
      if (i >= n) break;
      const sev = findings[keys[at] - i * stride].severity === 'error' ? MarkSeverity.Error : MarkSeverity.Warning;
      if (sev > out[i]) out[i] = sev;
    }
    return out;
  }
}
