// Painting the lanes canvas and the overview strip. Each frame draws only what falls inside
// the visible window: per-lane binary search into spans sorted by start, sub-pixel spans merged
// into one rectangle per pixel run, and coverage bins instead of spans once a pixel covers
// more than a bin. Problem spans (failed, threw, slow) are never hidden by merging.
import { bisector } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import type { Chain } from './chain';
import { shorten } from './format';
import { formatDurationPrecise } from '../protocol/wire';
import { pixelClasses } from './lod';
import { MarkSeverity } from './spanFindings';
import type { Palette } from './theme';
import { Cls, K_TASK, K_WAIT, S_CANCELLED, lowerBoundTs, type TraceData } from './traceData';

export const COUNTER_H = 38;
export const BAND_QUEUE = [3, 3] as const; // y offset, height within a row
/** colour classes from here on are problems (slow, failed, threw): never hidden by merging */
const PROBLEM_FROM = Cls.CallbackSlow;
const PROBLEM_TICK_H = 5;
/** Width of the bar that closes Main's lane where a stopped run's main was running its own code, px. */
const STOP_BAR_W = 3;
/** pool-wide marks drawn as a line across every lane */
const BAD_MARKS = new Set(['broken', 'handler-died', 'deadlock', 'main-threw', 'terminate']);
/** marks of one lane drawn as a solid line across it: where a worker died and where its replacement began */
const WORKER_CHANGE = new Set(['worker-died', 'worker-start']);

/** What one frame shows and how lanes are laid out, as the timeline decides it. */
export interface Frame {
  t0: number;
  t1: number;
  width: number;
  rowH: number;
  /** span body and printed-line ticks within a lane: y offset, height */
  body: readonly [number, number];
  tick: readonly [number, number];
  selected?: number;
  cursor?: number;
  chain?: Chain;
  searchMask?: Uint8Array;
}

export class LanePainter {
  private f!: Frame;
  private readonly pixelBuf = { a: new Float32Array(0) };

  constructor(
    private readonly data: TraceData,
    private readonly ctx: CanvasRenderingContext2D,
    public palette: Palette,
  ) {}

  /** One frame of the lanes canvas for the window and geometry in `f`. */
  paint(f: Frame, height: number, dpr: number): void {
    this.f = f;
    const { ctx, palette: p } = this;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, f.width, height);
    ctx.font = p.font;
    ctx.textBaseline = 'middle';
    const rows = this.data.rows.length;
    for (let r = 1; r < rows; r += 2) {
      ctx.fillStyle = p.laneAlt;
      ctx.fillRect(0, r * f.rowH, f.width, f.rowH);
    }
    ctx.fillStyle = p.grid;
    for (const tk of scaleLinear()
      .domain([f.t0, f.t1])
      .ticks(Math.max(2, Math.floor(f.width / 110))))
      ctx.fillRect(Math.round(this.x(tk)), 0, 1, height);
    for (let r = 0; r < rows; r++) this.lane(r);
    this.logs();
    this.marks();
    this.counters();
    this.findings();
    this.outline(f.cursor, p.cursor, 1, [3, 2]);
    this.outline(f.selected, p.select, 2, []);
    this.chain();
  }

  /** px from the left edge of the lanes for time t */
  private x(t: number): number {
    return ((t - this.f.t0) / (this.f.t1 - this.f.t0)) * this.f.width;
  }

  private lane(r: number): void {
    const d = this.data,
      ctx = this.ctx,
      p = this.palette;
    const { start, end, queued, kind, status } = d.cols;
    const list = d.byLane[r];
    const y = r * this.f.rowH;
    const usPerPx = (this.f.t1 - this.f.t0) / this.f.width;
    const level = d.coverage[r]?.levelFor(usPerPx) ?? -1;
    if (level >= 0) return this.bins(r, level, usPerPx);
    const t0 = this.f.t0,
      t1 = this.f.t1,
      W = this.f.width;
    const [by, bh] = this.f.body;
    const mask = this.f.searchMask;
    // Queue bars first, under the spans' labels: tasks starting up to one window past the right edge.
    // A task cancelled in the queue never ran: its bar ends in a hollow box where it was dropped.
    const qEnd = t1 + (t1 - t0);
    for (let k = d.lowerBound(r, t0), n = list.length; k < n; k++) {
      const i = list[k];
      if (start[i] > qEnd) break;
      const q = queued[i];
      if (kind[i] !== K_TASK || Number.isNaN(q) || q > t1) continue;
      const xa = Math.max(-1, (q - t0) / usPerPx),
        xb = Math.min(W + 1, (start[i] - t0) / usPerPx);
      ctx.fillStyle = p.queue;
      if (xb - xa >= 0.5) ctx.fillRect(xa, y + BAND_QUEUE[0], xb - xa, BAND_QUEUE[1]);
      if (status[i] === S_CANCELLED && start[i] >= t0 && start[i] <= t1) {
        ctx.strokeStyle = p.cls[Cls.Cancelled];
        ctx.lineWidth = 1;
        ctx.strokeRect(Math.round(xb) - 3.5, y + BAND_QUEUE[0] - 1.5, 7, 7);
      }
    }
    // A run of merged sub-pixel spans is painted in its most important ordinary class; problem
    // spans inside it are remembered as ticks (one per pixel, the worst wins) and drawn on top.
    let runA = -1,
      runB = -1,
      runCls = -1,
      runProblem = -1,
      runDim = false;
    const ticks = new Map<number, number>();
    const flush = () => {
      if (runA < 0) return;
      ctx.globalAlpha = runDim ? 0.25 : 1;
      ctx.fillStyle = p.cls[runCls >= 0 ? runCls : runProblem];
      ctx.fillRect(runA, y + by, Math.max(1, runB - runA), bh);
      runA = -1;
    };
    let labels = 0;
    // A wait off the Main lane (a sleep inside a callback or task) nests in the span around it: a thin inner bar.
    const nestedWaits = d.rows[r].kind !== 'main';
    for (let k = d.lowerBound(r, t0 - d.maxDur[r]), n = list.length; k < n; k++) {
      const i = list[k];
      const s = start[i];
      if (s > t1) break;
      const e = end[i];
      if (e < t0) continue;
      const xa = (s - t0) / usPerPx,
        xb = (e - t0) / usPerPx;
      const c = d.cls(i);
      const dim = mask !== undefined && mask[i] === 0;
      if (nestedWaits && kind[i] === K_WAIT) {
        ctx.globalAlpha = dim ? 0.25 : 0.9;
        ctx.fillStyle = c === Cls.WaitOk ? p.nested : p.cls[c];
        ctx.fillRect(Math.max(-2, xa), y + by + bh - 5, Math.max(1, Math.min(W + 2, xb) - Math.max(-2, xa)), 4);
        ctx.globalAlpha = 1;
        continue;
      }
      if (xb - xa < 1.5) {
        const problem = c >= PROBLEM_FROM;
        if (problem && !dim) {
          const px = Math.floor(xa);
          if ((ticks.get(px) ?? -1) < c) ticks.set(px, c);
        }
        if (runA >= 0 && xa <= runB + 1 && dim === runDim) {
          if (xb > runB) runB = xb;
          if (problem) runProblem = Math.max(runProblem, c);
          else runCls = Math.max(runCls, c);
          continue;
        }
        flush();
        runA = Math.floor(xa);
        runB = Math.max(xb, runA + 1);
        runDim = dim;
        runCls = problem ? -1 : c;
        runProblem = problem ? c : -1;
        continue;
      }
      flush();
      const a = Math.max(-2, xa),
        b = Math.min(W + 2, xb);
      const w = b - a > 4 ? b - a - 1 : b - a;
      ctx.globalAlpha = dim ? 0.25 : 1;
      if (c === Cls.Cancelled) {
        ctx.strokeStyle = p.cls[c];
        ctx.lineWidth = 1;
        ctx.setLineDash([3, 2]);
        ctx.strokeRect(a + 0.5, y + by + 0.5, w - 1, bh - 1);
        ctx.setLineDash([]);
      } else {
        ctx.fillStyle = p.cls[c];
        ctx.fillRect(a, y + by, w, bh);
        if (p.border) {
          ctx.strokeStyle = p.border;
          ctx.lineWidth = 1;
          ctx.strokeRect(a + 0.5, y + by + 0.5, w - 1, bh - 1);
        }
      }
      if (w > 28 && labels < 400) {
        labels++;
        this.spanLabel(i, c, a, w, y + by + bh / 2);
      }
    }
    flush();
    ctx.globalAlpha = 1;
    for (const [px, c] of ticks) {
      ctx.fillStyle = p.cls[c];
      ctx.fillRect(px, y + by, 2, PROBLEM_TICK_H);
    }
  }

  private spanLabel(i: number, c: Cls, a: number, w: number, cy: number): void {
    const ctx = this.ctx,
      d = this.data;
    let text = d.name(i);
    if (d.cols.kind[i] === K_WAIT && d.cols.job[i] >= 0) text += ` job ${d.cols.job[i]}`;
    if (c === Cls.CallbackThrew || c === Cls.TaskError) text = `✕ ${text}`;
    else if (c === Cls.TaskLost) text = `⊘ ${text} (lost)`;
    else if (c === Cls.CallbackSlow) text = `⚠ ${text}`;
    const x0 = Math.max(a, 0) + 4,
      room = Math.min(a + w, this.f.width) - x0 - 3;
    if (room < 14) return;
    const chars = Math.floor(room / 6.6);
    ctx.fillStyle = c === Cls.Cancelled ? this.palette.fg : this.palette.clsText[c];
    ctx.fillText(shorten(text, Math.max(1, chars)), x0, cy + 0.5, room);
  }

  private bins(r: number, level: number, usPerPx: number): void {
    const cov = this.data.coverage[r],
      ctx = this.ctx,
      p = this.palette;
    const { cover, mask } = cov.levels[level];
    const bw = cov.binDur * 4 ** level,
      n = cover.length;
    const [by, bh] = this.f.body;
    const y = r * this.f.rowH;
    for (let px = 0; px < this.f.width; px++) {
      const ta = this.f.t0 + px * usPerPx,
        tb = ta + usPerPx;
      const b0 = Math.max(0, Math.floor(ta / bw)),
        b1 = Math.min(n - 1, Math.floor(tb / bw));
      let c = 0,
        m = 0;
      for (let b = b0; b <= b1; b++) {
        c += cover[b];
        m |= mask[b];
      }
      if (!m) continue;
      const frac = Math.min(1, c / ((b1 - b0 + 1) * bw));
      const { body, problem } = pixelClasses(m, PROBLEM_FROM);
      ctx.globalAlpha = this.f.searchMask ? 0.25 : 0.35 + 0.65 * frac;
      ctx.fillStyle = p.cls[body];
      ctx.fillRect(px, y + by, 1, bh);
      if (problem >= 0) {
        ctx.globalAlpha = 1;
        ctx.fillStyle = p.cls[problem];
        ctx.fillRect(px, y + by, 1, PROBLEM_TICK_H);
      }
    }
    ctx.globalAlpha = 1;
  }

  private logs(): void {
    const ctx = this.ctx,
      p = this.palette;
    const usPerPx = (this.f.t1 - this.f.t0) / this.f.width;
    this.data.logsByLane.forEach((logs, r) => {
      let lo = lowerBoundTs(logs, this.f.t0),
        lastPx = -1;
      for (; lo < logs.length && logs[lo].ts <= this.f.t1; lo++) {
        const px = Math.round((logs[lo].ts - this.f.t0) / usPerPx);
        if (px === lastPx) continue;
        lastPx = px;
        ctx.fillStyle = logs[lo].stream === 'stderr' ? p.logErr : p.log;
        ctx.fillRect(px, r * this.f.rowH + this.f.tick[0], 1, this.f.tick[1]);
      }
    });
  }

  private marks(): void {
    const ctx = this.ctx,
      p = this.palette,
      d = this.data;
    for (const m of d.marks) {
      if (m.ts < this.f.t0 || m.ts > this.f.t1) continue;
      const r = d.rowOfLane.get(m.lane) ?? 0;
      const x = Math.round(this.x(m.ts)) + 0.5;
      const bad = BAD_MARKS.has(m.kind);
      // A worker's first start is routine; its death and a replacement's start are what a reader looks for.
      const change = WORKER_CHANGE.has(m.kind) && (m.kind === 'worker-died' || m.replaces === true);
      ctx.strokeStyle = bad || m.kind === 'worker-died' ? p.markBad : m.kind === 'unhandled' || m.kind === 'left-running' ? p.findingWarn : p.mark;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = change ? 2 : 1;
      ctx.setLineDash(change ? [] : [2, 2]);
      ctx.beginPath();
      const y0 = bad ? 0 : r * this.f.rowH;
      ctx.moveTo(x, y0);
      ctx.lineTo(x, bad ? d.rows.length * this.f.rowH : y0 + this.f.rowH);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(x - 4, r * this.f.rowH);
      ctx.lineTo(x + 4, r * this.f.rowH);
      ctx.lineTo(x, r * this.f.rowH + 6);
      ctx.closePath();
      ctx.fill();
      if (change) this.markLabel(m.kind === 'worker-died' ? '✕ died' : m.pid !== undefined && d.isProcessLane(d.rows[r]) ? `↻ pid ${m.pid}` : '↻ new worker', x, r);
    }
    const dl = d.meta.deadlock;
    if (dl && dl.ts >= this.f.t0 && dl.ts <= this.f.t1) {
      const x = Math.round(this.x(dl.ts)) + 0.5;
      ctx.strokeStyle = p.markBad;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, d.rows.length * this.f.rowH);
      ctx.stroke();
      ctx.fillStyle = p.markBad;
      const tw = ctx.measureText('deadlock').width;
      ctx.fillText('deadlock', x + 4 + tw > this.f.width ? x - 4 - tw : x + 4, 8);
    }
    this.stoppedAt();
  }

  /** Where main's own code was when the run was stopped or ran out of time: a bar closing Main's lane at the end, with the line. */
  private stoppedAt(): void {
    const d = this.data;
    const at = d.meta.stoppedAt;
    const r = at ? d.rows.findIndex((l) => l.kind === 'main') : -1;
    if (!at || r < 0 || d.end < this.f.t0 || d.end > this.f.t1) return;
    const ctx = this.ctx;
    const x = Math.round(this.x(d.end));
    ctx.fillStyle = ctx.strokeStyle = this.palette.markBad;
    ctx.fillRect(x - STOP_BAR_W, r * this.f.rowH, STOP_BAR_W, this.f.rowH);
    this.markLabel(`${d.meta.outcome} at line ${at.line}`, x - STOP_BAR_W, r);
  }

  /** A few words beside a mark at the top of its lane, where they fit before the next thing drawn there. */
  private markLabel(text: string, x: number, r: number): void {
    const ctx = this.ctx;
    const w = ctx.measureText(text).width;
    const left = x + 4 + w > this.f.width ? x - 4 - w : x + 4;
    ctx.globalAlpha = 0.85;
    ctx.fillStyle = this.palette.bg;
    ctx.fillRect(left - 2, r * this.f.rowH + 1, w + 4, 12);
    ctx.globalAlpha = 1;
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fillText(text, left, r * this.f.rowH + 7);
  }

  private counters(): void {
    const ctx = this.ctx,
      p = this.palette,
      d = this.data;
    const W = Math.ceil(this.f.width);
    if (this.pixelBuf.a.length !== W) this.pixelBuf.a = new Float32Array(W);
    const buf = this.pixelBuf.a;
    const series = [
      [d.queuedSeries, p.counterQueued],
      [d.busySeries, p.counterBusy],
    ] as const;
    series.forEach(([s, colour], k) => {
      const top = d.rows.length * this.f.rowH + k * COUNTER_H;
      ctx.fillStyle = p.grid;
      ctx.fillRect(0, top, this.f.width, 1);
      if (!s.max) return;
      s.maxPerPixel(this.f.t0, this.f.t1, buf);
      const h = COUNTER_H - 8;
      ctx.fillStyle = colour;
      ctx.globalAlpha = 0.75;
      for (let px = 0; px < W; px++) {
        const v = buf[px];
        if (v > 0) {
          const bh = Math.max(1, (v / s.max) * h);
          ctx.fillRect(px, top + COUNTER_H - 2 - bh, 1, bh);
        }
      }
      ctx.globalAlpha = 1;
    });
  }

  /**
   * Outlines and corner flags on the spans findings name. Marks of spans narrower than a pixel
   * that touch merge into one, as their bodies do: a finding that names a million spans costs a
   * mark per pixel run, not a million outlines.
   */
  private findings(): void {
    const d = this.data,
      { t0, t1 } = this.f,
      { start, end } = d.cols;
    const byStart = bisector((i: number) => start[i]);
    d.findingMarks().forEach((m, r) => {
      let runA = -1,
        runB = -1,
        runSev: number = MarkSeverity.None;
      const flush = () => {
        if (runA >= 0) this.findingMark(r, runA, runB, runSev);
        runA = -1;
      };
      for (let k = byStart.left(m.spans, t0 - m.maxDur), n = m.spans.length; k < n; k++) {
        const i = m.spans[k];
        if (start[i] > t1) break;
        if (end[i] < t0) continue;
        const xa = this.x(start[i]),
          xb = this.x(end[i]),
          sev = m.severity[k];
        if (xb - xa >= 1) {
          flush();
          this.findingMark(r, xa, xb, sev);
        } else if (runA >= 0 && xa <= runB + 1) {
          runB = Math.max(runB, xb);
          runSev = Math.max(runSev, sev);
        } else {
          flush();
          runA = xa;
          runB = xb;
          runSev = sev;
        }
      }
      flush();
    });
  }

  private findingMark(r: number, xa: number, xb: number, sev: number): void {
    const ctx = this.ctx;
    const colour = sev === MarkSeverity.Error ? this.palette.finding : this.palette.findingWarn;
    this.outlineAt(r, xa, xb, colour, 2, []);
    const x = Math.max(0, xa),
      y = r * this.f.rowH;
    ctx.fillStyle = colour;
    ctx.beginPath();
    ctx.moveTo(x, y + 1);
    ctx.lineTo(x + 8, y + 1);
    ctx.lineTo(x, y + 9);
    ctx.closePath();
    ctx.fill();
  }

  private outline(i: number | undefined, colour: string, width: number, dash: number[]): void {
    if (i === undefined || i >= this.data.n) return;
    const r = this.data.rowOf(i);
    if (r >= 0) this.outlineAt(r, this.x(this.data.cols.start[i]), this.x(this.data.cols.end[i]), colour, width, dash);
  }

  /** An outline around what spans from xa to xb px in row r. */
  private outlineAt(r: number, xa: number, xb: number, colour: string, width: number, dash: number[]): void {
    if (xb < -4 || xa > this.f.width + 4) return;
    const a = Math.max(-3, xa) - 1.5,
      b = Math.min(this.f.width + 3, Math.max(xb, xa + 1)) + 1.5;
    const ctx = this.ctx;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.strokeRect(a, r * this.f.rowH + this.f.body[0] - 2, b - a, this.f.body[1] + 4);
    ctx.setLineDash([]);
  }

  private chain(): void {
    const ch = this.f.chain;
    if (!ch || ch.points.length < 2) return;
    const ctx = this.ctx,
      p = this.palette;
    const cy = (row: number) => row * this.f.rowH + this.f.body[0] + this.f.body[1] / 2;
    ctx.strokeStyle = p.arrow;
    ctx.fillStyle = p.arrow;
    ctx.lineWidth = 1.5;
    for (const pt of ch.points) {
      ctx.beginPath();
      ctx.arc(this.x(pt.t), cy(pt.row), 4, 0, Math.PI * 2);
      ctx.fill();
    }
    for (const s of ch.steps) {
      const x0 = this.x(s.from.leaveAt ?? s.from.t),
        y0 = cy(s.from.row);
      const x1 = this.x(s.to.t),
        y1 = cy(s.to.row);
      const mx = (x0 + x1) / 2,
        my = Math.min(y0, y1) - (y0 === y1 ? 14 : 0);
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.bezierCurveTo(mx, y0, mx, y1, x1, y1);
      ctx.stroke();
      const ang = Math.atan2(y1 - (y0 === y1 ? my : y0), x1 - mx);
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x1 - 8 * Math.cos(ang - 0.4), y1 - 8 * Math.sin(ang - 0.4));
      ctx.lineTo(x1 - 8 * Math.cos(ang + 0.4), y1 - 8 * Math.sin(ang + 0.4));
      ctx.closePath();
      ctx.fill();
      const label = `${s.label} ${formatDurationPrecise(s.delay)}`;
      const tw = ctx.measureText(label).width;
      const lx = Math.min(Math.max(mx - tw / 2, 2), this.f.width - tw - 2),
        ly = (y0 + y1) / 2;
      ctx.fillStyle = p.bg;
      ctx.globalAlpha = 0.85;
      ctx.fillRect(lx - 3, ly - 8, tw + 6, 16);
      ctx.globalAlpha = 1;
      ctx.fillStyle = p.arrow;
      ctx.fillText(label, lx, ly);
    }
  }

  /** The whole trace, one thin row per lane, on the overview strip's canvas. */
  overview(ctx: CanvasRenderingContext2D, [lo, hi]: [number, number], width: number, height: number, dpr: number): void {
    const d = this.data,
      p = this.palette;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = p.laneAlt;
    ctx.fillRect(0, 0, width, height);
    const rows = d.rows.length;
    if (!rows) return;
    const rh = Math.max(1, Math.min(6, (height - 4) / rows));
    const usPerPx = (hi - lo) / width;
    const { start, end } = d.cols;
    for (let r = 0; r < rows; r++) {
      const y = 2 + r * rh;
      const cov = d.coverage[r];
      const level = cov?.levelFor(usPerPx) ?? -1;
      if (level >= 0) {
        const { cover, mask } = cov.levels[level];
        const bw = cov.binDur * 4 ** level;
        for (let px = 0; px < width; px++) {
          const b0 = Math.max(0, Math.floor((lo + px * usPerPx) / bw)),
            b1 = Math.min(cover.length - 1, Math.floor((lo + (px + 1) * usPerPx) / bw));
          if (b1 < b0) continue;
          let m = 0;
          for (let b = b0; b <= b1; b++) m |= mask[b];
          if (m) {
            ctx.fillStyle = p.cls[pixelClasses(m, PROBLEM_FROM).body];
            ctx.fillRect(px, y, 1, rh - (rh > 2 ? 1 : 0));
          }
        }
        continue;
      }
      for (const i of d.byLane[r]) {
        ctx.fillStyle = p.cls[d.cls(i)];
        ctx.fillRect((start[i] - lo) / usPerPx, y, Math.max(1, (end[i] - start[i]) / usPerPx), rh - (rh > 2 ? 1 : 0));
      }
    }
  }
}
