// Level-of-detail summaries, so a zoomed-out frame costs the number of pixels, not the
// number of spans: per-lane coverage bins (how much of each bin is busy, and the most
// important colour class in it) and step series with per-bin maxima for the counter tracks.
import { bisectRight } from 'd3-array';

const BINS = 16384;
/** Lanes with fewer spans than this are always drawn span by span. */
const LOD_MIN_SPANS = 4000;

export class CoverageBins {
  /** µs per bin at the finest level; level L bins are 4^L times wider */
  readonly binDur: number;
  readonly levels: { cover: Float32Array; mask: Uint16Array }[] = [];

  constructor(total: number, list: Int32Array, start: Float64Array, end: Float64Array, cls: (i: number) => number) {
    this.binDur = total / BINS;
    if (list.length < LOD_MIN_SPANS) return;
    const cover = new Float32Array(BINS),
      mask = new Uint16Array(BINS);
    const w = this.binDur;
    for (let k = 0; k < list.length; k++) {
      const i = list[k];
      const s = start[i],
        e = Math.max(end[i], s);
      const b0 = Math.min(BINS - 1, Math.floor(s / w)),
        b1 = Math.min(BINS - 1, Math.floor(e / w));
      const bit = 1 << cls(i);
      for (let b = b0; b <= b1; b++) {
        cover[b] += Math.min(e, (b + 1) * w) - Math.max(s, b * w);
        mask[b] |= bit;
      }
    }
    this.levels.push({ cover, mask });
    for (let n = BINS / 4; n >= 64; n /= 4) {
      const prev = this.levels[this.levels.length - 1];
      const c = new Float32Array(n),
        m = new Uint16Array(n);
      for (let b = 0; b < n; b++) {
        for (let j = 0; j < 4; j++) {
          c[b] += prev.cover[b * 4 + j];
          m[b] |= prev.mask[b * 4 + j];
        }
      }
      this.levels.push({ cover: c, mask: m });
    }
  }

  /** The coarsest level whose bins are no wider than a pixel, or -1 to draw span by span. */
  levelFor(usPerPx: number): number {
    let best = -1;
    for (let L = 0; L < this.levels.length; L++) if (this.binDur * 4 ** L <= usPerPx) best = L;
    return best;
  }
}

/** Index of the highest set bit: the most important colour class in a mask. */
export function topClass(mask: number): number {
  return 31 - Math.clz32(mask);
}

/**
 * How a pixel that holds many spans is painted: the body in the most important of the
 * ordinary classes (so a lane of 1% failures does not turn red), and the worst problem class,
 * if any, as a tick on top. Classes from `problemFrom` on are problems.
 */
export function pixelClasses(mask: number, problemFrom: number): { body: number; problem: number } {
  const ordinary = mask & ((1 << problemFrom) - 1);
  const problem = mask >>> problemFrom ? topClass(mask) : -1;
  return { body: ordinary ? topClass(ordinary) : problem, problem: ordinary ? problem : -1 };
}

/** Above this many ascending runs, sortRuns leaves the work to the engine's own sort. */
const MAX_RUNS = 64;

/**
 * Sorts times in place. Gathered lane by lane they are a few ascending runs (a worker runs one
 * task at a time), which merging sorts in a few passes: the engine's sort would take several
 * times as long on a million of them, and the counters are built before the first frame.
 */
export function sortRuns(a: Float64Array): Float64Array {
  const bounds = [0];
  for (let i = 0; i < a.length; i++) {
    // NaN would break the runs' order: the engine's sort puts it last.
    if (Number.isNaN(a[i])) return a.sort();
    if (i > 0 && a[i] < a[i - 1]) {
      bounds.push(i);
      if (bounds.length > MAX_RUNS) return a.sort();
    }
  }
  bounds.push(a.length);
  let src: Float64Array = a,
    dst: Float64Array = new Float64Array(a.length);
  for (let runs = bounds; runs.length > 2;) {
    const merged = [0];
    for (let r = 0; r + 1 < runs.length; r += 2) {
      const lo = runs[r],
        mid = runs[r + 1],
        hi = runs[r + 2] ?? mid;
      let i = lo,
        j = mid,
        k = lo;
      while (i < mid && j < hi) dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
      merged.push(hi);
    }
    [src, dst] = [dst, src];
    runs = merged;
  }
  if (src !== a) a.set(src);
  return a;
}

/** A counter over time (tasks queued, workers busy) as a step function. */
export class StepSeries {
  times = new Float64Array(0);
  values = new Int32Array(0);
  max = 0;
  private bins = new Int32Array(0);
  private binDur = 1;

  build(ins: Float64Array, outs: Float64Array, total: number): void {
    sortRuns(ins);
    sortRuns(outs);
    // Locals, not fields, in the loops: a million-task trace runs them two million times.
    const n = ins.length + outs.length;
    const times = new Float64Array(n),
      values = new Int32Array(n);
    let a = 0,
      b = 0,
      v = 0,
      max = 0;
    for (let k = 0; k < n; k++) {
      // At equal times the leaving event goes first, so back-to-back tasks do not count twice.
      if (b < outs.length && (a >= ins.length || outs[b] <= ins[a])) {
        times[k] = outs[b++];
        v--;
      } else {
        times[k] = ins[a++];
        v++;
      }
      values[k] = v;
      if (v > max) max = v;
    }
    const binDur = Math.max(total, 1) / BINS;
    const bins = new Int32Array(BINS);
    let k = 0,
      cur = 0;
    for (let bin = 0; bin < BINS; bin++) {
      const tEnd = (bin + 1) * binDur;
      let m = cur;
      while (k < n && times[k] < tEnd) {
        cur = values[k++];
        if (cur > m) m = cur;
      }
      bins[bin] = m;
    }
    this.times = times;
    this.values = values;
    this.max = max;
    this.binDur = binDur;
    this.bins = bins;
  }

  valueAt(t: number): number {
    const lo = bisectRight(this.times, t);
    return lo === 0 ? 0 : this.values[lo - 1];
  }

  /** The highest value within each of `out.length` pixel columns spanning [t0, t1]. */
  maxPerPixel(t0: number, t1: number, out: Float32Array): void {
    const W = out.length,
      usPerPx = (t1 - t0) / W;
    if (usPerPx >= this.binDur) {
      for (let px = 0; px < W; px++) {
        const a = Math.max(0, Math.floor((t0 + px * usPerPx) / this.binDur));
        const b = Math.min(BINS - 1, Math.floor((t0 + (px + 1) * usPerPx) / this.binDur));
        let m = 0;
        for (let bin = a; bin <= b; bin++) if (this.bins[bin] > m) m = this.bins[bin];
        out[px] = m;
      }
      return;
    }
    let cur = this.valueAt(t0);
    let k = bisectRight(this.times, t0);
    for (let px = 0; px < W; px++) {
      const tEnd = t0 + (px + 1) * usPerPx;
      let m = cur;
      while (k < this.times.length && this.times[k] < tEnd) {
        cur = this.values[k++];
        if (cur > m) m = cur;
      }
      out[px] = m;
    }
  }
}
