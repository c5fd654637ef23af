// The swimlane canvas: lanes, counter tracks, axis and overview, with D3 scales, zoom and
// brush. Each frame draws only what falls inside the visible window: per-lane binary search
// into spans sorted by start, sub-pixel spans merged into one rectangle per pixel run, and
// coverage bins instead of spans once a pixel covers more than a bin.
import { axisTop } from 'd3-axis';
import { brushX, type BrushBehavior } from 'd3-brush';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3-zoom';
import type { Chain } from './chain';
import { el, clear } from './dom';
import { fmtDur, fmtTime, shorten } from './format';
import { pixelClasses } from './lod';
import type { Palette } from './theme';
import { Cls, K_TASK, K_WAIT, type TraceData } from './traceData';

const MIN_ROW_H = 30;
const MAX_ROW_H = 52;
const COUNTER_H = 38;
const OVERVIEW_H = 44;
/** height of the axis row, the overview row and their borders: what the lanes cannot use */
const CHROME_H = 24 + OVERVIEW_H + 16;
const BAND_QUEUE = [3, 3] as const; // y offset, height within a row
/** colour classes from here on are problems (slow, failed, threw): never hidden by merging */
const PROBLEM_FROM = Cls.CallbackSlow;
const PROBLEM_TICK_H = 5;
const MIN_WINDOW_US = 5;
const FRAME_RING = 2048;
/** pool-wide marks drawn as a line across every lane */
const BAD_MARKS = new Set(['broken', 'handler-died', 'deadlock', 'main-threw', 'terminate']);

export interface TimelineEvents {
  hover(target: HoverTarget | undefined, clientX: number, clientY: number): void;
  select(span: number | undefined): void;
  cursor(span: number): void;
  range(t0: number, t1: number): void;
  follow(on: boolean): void;
}

export type HoverTarget = { type: 'span'; span: number } | { type: 'log'; row: number; log: number } | { type: 'mark'; mark: number };

export class Timeline {
  readonly root: HTMLElement;
  t0 = 0;
  t1 = 1;
  selected: number | undefined;
  cursor: number | undefined;
  chain: Chain | undefined;
  searchMask: Uint8Array | undefined;
  follow = true;
  fitAll = true;
  /** durations of the most recent frames in ms, for the benchmark and the status line */
  readonly frameTimes = new Float64Array(FRAME_RING);
  frameCount = 0;

  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly labels: HTMLElement;
  private readonly axisSvg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly ovCanvas: HTMLCanvasElement;
  private readonly ovSvg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly zoomer: ZoomBehavior<HTMLCanvasElement, unknown>;
  private readonly brusher: BrushBehavior<unknown>;
  private readonly brushG: Selection<SVGGElement, unknown, null, undefined>;
  private readonly base: ScaleLinear<number, number> = scaleLinear();
  /** lane height: lanes share the free height, within bounds */
  private rowH = MIN_ROW_H;
  /** span body and printed-line ticks within a lane: y offset, height */
  private body: [number, number] = [8, MIN_ROW_H - 14];
  private tick: [number, number] = [MIN_ROW_H - 5, 5];
  private width = 600;
  private height = 100;
  private dpr = 1;
  private watchingDpr = false;
  private pending = 0;
  private quiet = false;
  private ovDirty = true;
  private firstFrame = false;
  private readonly pixelBuf = { a: new Float32Array(0) };

  constructor(private readonly data: TraceData, private palette: Palette, private readonly on: TimelineEvents) {
    this.canvas = el('canvas', { class: 'lanes-canvas', 'aria-hidden': 'true' });
    this.ctx = this.canvas.getContext('2d', { alpha: false })!;
    this.labels = el('div', { class: 'lane-labels', role: 'list', 'aria-label': 'Lanes' });
    const axis = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    axis.setAttribute('class', 'axis');
    axis.setAttribute('aria-hidden', 'true');
    this.axisSvg = select(axis);
    this.ovCanvas = el('canvas', { class: 'overview-canvas', 'aria-hidden': 'true' });
    const ov = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    ov.setAttribute('class', 'overview-brush');
    this.ovSvg = select(ov);
    this.brushG = this.ovSvg.append('g').attr('class', 'brush');
    const wrap = el('div', { class: 'canvas-wrap' }, this.canvas);
    this.root = el(
      'div',
      { class: 'timeline', tabindex: 0, role: 'application', 'aria-roledescription': 'timeline', 'aria-label': 'Timeline. W and S zoom, A and D pan, arrow keys move between spans, Enter selects, F fits.' },
      el('div', { class: 'axis-row' }, el('div', { class: 'corner range-readout', 'aria-live': 'off' }), axis),
      el('div', { class: 'lanes-row' }, this.labels, wrap),
      el('div', { class: 'overview-row' }, el('div', { class: 'corner' }, 'Overview'), el('div', { class: 'ov-wrap' }, this.ovCanvas, ov)),
    );

    this.zoomer = zoom<HTMLCanvasElement, unknown>()
      .filter((ev: Event) => (ev.type === 'wheel' || !(ev as MouseEvent).button) && ev.type !== 'dblclick')
      .on('zoom', (ev: D3ZoomEvent<HTMLCanvasElement, unknown>) => this.onZoom(ev));
    select(this.canvas).call(this.zoomer).on('dblclick.zoom', null);
    this.brusher = brushX<unknown>().on('brush end', (ev: { type: string; selection: [number, number] | null; sourceEvent?: MouseEvent }) => {
      if (!ev.sourceEvent) return;
      const x = scaleLinear().domain(this.world()).range([0, this.width]);
      if (ev.selection) return this.userWindow(x.invert(ev.selection[0]), x.invert(ev.selection[1]));
      // A click without a drag: centre the current window there.
      if (ev.type === 'end') {
        const mid = x.invert(ev.sourceEvent.clientX - this.ovCanvas.getBoundingClientRect().left), w = this.t1 - this.t0;
        this.userWindow(mid - w / 2, mid + w / 2);
      }
    });

    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.canvas.addEventListener('pointerleave', () => this.on.hover(undefined, 0, 0));
    this.canvas.addEventListener('click', (e) => this.onClick(e));
    this.root.addEventListener('keydown', (e) => this.onKey(e));
    const ro = new ResizeObserver(() => this.resize());
    ro.observe(wrap);
    ro.observe(this.root);
  }

  setPalette(p: Palette): void {
    this.palette = p;
    this.ovDirty = true;
    this.requestDraw();
  }

  /** After the data changed: rebuild lane labels and sizes, keep the window, follow the newest time. */
  dataChanged(): void {
    this.buildLabels();
    this.ovDirty = true;
    const end = this.world()[1];
    if (this.fitAll) this.setWindow(...this.world());
    else if (this.follow) {
      const w = this.t1 - this.t0;
      this.setWindow(end - w, end);
    } else this.setWindow(this.t0, this.t1);
    this.resize();
  }

  private buildLabels(): void {
    clear(this.labels);
    const d = this.data;
    d.rows.forEach((lane, r) => {
      const share = d.busyShare[r] ?? 0;
      const busy = lane.kind === 'main' ? `waiting ${Math.round(share * 100)}%` : `busy ${Math.round(share * 100)}%`;
      const spans = d.byLane[r]?.length ?? 0;
      this.labels.append(
        el('div', { class: `lane-label lane-${lane.kind}`, role: 'listitem', 'data-lane': lane.name, 'data-spans': spans, title: `${lane.name}: ${spans} spans, ${busy}` },
          el('span', { class: 'lane-name' }, lane.name),
          el('span', { class: 'lane-busy' }, busy)),
      );
    });
    const q = el('div', { class: 'lane-label counter-label', role: 'listitem' }, el('span', { class: 'lane-name' }, 'Tasks queued'), el('span', { class: 'lane-busy' }, `max ${d.queuedSeries.max}`));
    const b = el('div', { class: 'lane-label counter-label', role: 'listitem' }, el('span', { class: 'lane-name' }, 'Workers busy'), el('span', { class: 'lane-busy' }, `max ${d.busySeries.max}`));
    this.labels.append(q, b);
  }

  private resize(): void {
    const wrap = this.canvas.parentElement!;
    if (!this.watchingDpr) {
      // Moving the window to a screen of another density changes no size: watch for it.
      this.watchingDpr = true;
      matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`).addEventListener('change', () => {
        this.watchingDpr = false;
        this.resize();
      }, { once: true });
    }
    this.dpr = window.devicePixelRatio || 1;
    this.width = Math.max(100, wrap.clientWidth);
    const rows = Math.max(1, this.data.rows.length);
    const free = this.root.clientHeight - CHROME_H - 2 * COUNTER_H;
    this.rowH = Math.floor(Math.min(MAX_ROW_H, Math.max(MIN_ROW_H, free / rows)));
    this.body = [8, this.rowH - 14];
    this.tick = [this.rowH - 5, 5];
    this.labels.querySelectorAll<HTMLElement>('.lane-label:not(.counter-label)').forEach((l) => (l.style.height = `${this.rowH}px`));
    this.height = this.data.rows.length * this.rowH + 2 * COUNTER_H;
    for (const [c, w, h] of [[this.canvas, this.width, this.height], [this.ovCanvas, this.width, OVERVIEW_H]] as const) {
      c.width = Math.round(w * this.dpr);
      c.height = Math.round(h * this.dpr);
      c.style.width = `${w}px`;
      c.style.height = `${h}px`;
    }
    this.axisSvg.attr('width', this.width).attr('height', 24);
    this.ovSvg.attr('width', this.width).attr('height', OVERVIEW_H);
    this.brusher.extent([[0, 0], [this.width, OVERVIEW_H]]);
    this.brushG.call(this.brusher);
    this.ovDirty = true;
    this.syncZoom();
    this.requestDraw();
  }

  /** The time range one can look at: the trace plus a small margin, so marks at its edges stay visible. */
  private world(): [number, number] {
    const end = Math.max(this.data.end, MIN_WINDOW_US);
    const pad = end * 0.012;
    return [-pad, end + pad];
  }

  /** Window chosen by the program (fit, reveal, follow): keeps the zoom behaviour in step. */
  setWindow(t0: number, t1: number): void {
    const [lo, hi] = this.world();
    let w = Math.min(Math.max(t1 - t0, MIN_WINDOW_US), hi - lo);
    t0 = Math.min(Math.max(lo, t0), hi - w);
    if (!Number.isFinite(t0) || !Number.isFinite(w)) (t0 = lo), (w = hi - lo);
    this.t0 = t0;
    this.t1 = t0 + w;
    this.syncZoom();
    this.changed();
  }

  /** Window chosen by the user (brush, keys): leaves fit and follow unless the newest time stays in view. */
  private userWindow(t0: number, t1: number): void {
    this.fitAll = false;
    this.setWindow(t0, t1);
    this.updateFollow();
  }

  /** Moving away from the newest time ends follow mode; only the Follow button starts it. */
  private updateFollow(): void {
    if (this.follow && this.t1 < this.data.end - 1e-6) {
      this.follow = false;
      this.on.follow(false);
    }
  }

  setFollow(on: boolean): void {
    this.follow = on;
    if (on) this.setWindow(this.world()[1] - (this.t1 - this.t0), this.world()[1]);
    this.on.follow(on);
  }

  fit(): void {
    this.fitAll = true;
    this.setWindow(...this.world());
    this.updateFollow();
  }

  zoomBy(factor: number, around = (this.t0 + this.t1) / 2): void {
    const w = (this.t1 - this.t0) / factor;
    const f = (around - this.t0) / (this.t1 - this.t0);
    this.userWindow(around - f * w, around - f * w + w);
  }

  panBy(fraction: number): void {
    const w = this.t1 - this.t0;
    this.userWindow(this.t0 + fraction * w, this.t1 + fraction * w);
  }

  /** Brings spans into view, zooming out only as far as needed. */
  reveal(spans: number[]): void {
    if (!spans.length) return;
    const { start, end } = this.data.cols;
    let a = Infinity, b = -Infinity;
    for (const i of spans) (a = Math.min(a, start[i])), (b = Math.max(b, end[i]));
    if (a >= this.t0 && b <= this.t1 && (b - a) * this.width / (this.t1 - this.t0) > 4) return;
    const pad = Math.max((b - a) * 0.25, MIN_WINDOW_US);
    const w = Math.max(b - a + 2 * pad, Math.min(this.t1 - this.t0, (b - a) * 20 + 2 * pad));
    const mid = (a + b) / 2;
    this.userWindow(mid - w / 2, mid + w / 2);
  }

  private syncZoom(): void {
    const [lo, hi] = this.world();
    this.base.domain([lo, hi]).range([0, this.width]);
    const k = (hi - lo) / (this.t1 - this.t0);
    this.zoomer.scaleExtent([1, Math.max(1, (hi - lo) / MIN_WINDOW_US)]).translateExtent([[0, 0], [this.width, this.height]]).extent([[0, 0], [this.width, this.height]]);
    this.quiet = true;
    select(this.canvas).call(this.zoomer.transform, zoomIdentity.translate(-this.base(this.t0) * k, 0).scale(k));
    this.quiet = false;
  }

  private onZoom(ev: D3ZoomEvent<HTMLCanvasElement, unknown>): void {
    if (this.quiet) return;
    const [t0, t1] = ev.transform.rescaleX(this.base).domain();
    this.t0 = t0;
    this.t1 = t1;
    this.fitAll = false;
    this.updateFollow();
    this.changed();
  }

  private changed(): void {
    this.on.range(this.t0, this.t1);
    this.requestDraw();
  }

  requestDraw(): void {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = 0;
      this.draw();
    });
  }

  /** px from the left edge of the lanes for time t */
  x(t: number): number {
    return ((t - this.t0) / (this.t1 - this.t0)) * this.width;
  }

  draw(): void {
    const t = performance.now();
    const { ctx, palette: p } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = p.bg;
    ctx.fillRect(0, 0, this.width, this.height);
    ctx.font = p.font;
    ctx.textBaseline = 'middle';
    const ticks = scaleLinear().domain([this.t0, this.t1]).range([0, this.width]).ticks(Math.max(2, Math.floor(this.width / 110)));
    const rows = this.data.rows.length;
    for (let r = 0; r < rows; r++) {
      if (r % 2) {
        ctx.fillStyle = p.laneAlt;
        ctx.fillRect(0, r * this.rowH, this.width, this.rowH);
      }
    }
    ctx.fillStyle = p.grid;
    for (const tk of ticks) ctx.fillRect(Math.round(this.x(tk)), 0, 1, this.height);
    for (let r = 0; r < rows; r++) this.drawLane(r);
    this.drawLogs();
    this.drawMarks();
    this.drawCounters();
    this.drawFindings();
    this.drawOutline(this.cursor, p.cursor, 1, [3, 2]);
    this.drawOutline(this.selected, p.select, 2, []);
    this.drawChain();
    this.drawAxis();
    if (this.ovDirty) this.drawOverview();
    this.moveBrush();
    const dt = performance.now() - t;
    this.frameTimes[this.frameCount++ % FRAME_RING] = dt;
    if (!this.firstFrame && this.data.rows.length > 0) {
      this.firstFrame = true;
      performance.mark('poolscope:first-frame');
    }
  }

  private drawLane(r: number): void {
    const d = this.data, ctx = this.ctx, p = this.palette;
    const { start, end, queued, kind } = d.cols;
    const list = d.byLane[r];
    const y = r * this.rowH;
    const usPerPx = (this.t1 - this.t0) / this.width;
    const level = d.coverage[r]?.levelFor(usPerPx) ?? -1;
    if (level >= 0) return this.drawBins(r, level, usPerPx);
    const t0 = this.t0, t1 = this.t1, W = this.width;
    const [by, bh] = this.body;
    const mask = this.searchMask;
    // Queue bars first, under the spans' labels: tasks starting up to one window past the right edge.
    ctx.fillStyle = p.queue;
    const qEnd = t1 + (t1 - t0);
    for (let k = d.lowerBound(r, t0), n = list.length; k < n; k++) {
      const i = list[k];
      if (start[i] > qEnd) break;
      const q = queued[i];
      if (kind[i] !== K_TASK || Number.isNaN(q) || q > t1 || start[i] - q <= 0) continue;
      const xa = Math.max(-1, (q - t0) / usPerPx), xb = Math.min(W + 1, (start[i] - t0) / usPerPx);
      if (xb - xa >= 0.5) ctx.fillRect(xa, y + BAND_QUEUE[0], xb - xa, BAND_QUEUE[1]);
    }
    // A run of merged sub-pixel spans is painted in its most important ordinary class; problem
    // spans inside it are remembered as ticks (one per pixel, the worst wins) and drawn on top.
    let runA = -1, runB = -1, runCls = -1, runProblem = -1, runDim = false;
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
      const xa = (s - t0) / usPerPx, xb = (e - t0) / usPerPx;
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
        (runA = Math.floor(xa)), (runB = Math.max(xb, runA + 1)), (runDim = dim);
        (runCls = problem ? -1 : c), (runProblem = problem ? c : -1);
        continue;
      }
      flush();
      const a = Math.max(-2, xa), b = Math.min(W + 2, xb);
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
    const ctx = this.ctx, d = this.data;
    let text = d.name(i);
    if (d.cols.kind[i] === K_WAIT && d.cols.job[i] >= 0) text += ` job ${d.cols.job[i]}`;
    if (c === Cls.CallbackThrew || c === Cls.TaskError) text = `✕ ${text}`;
    else if (c === Cls.CallbackSlow) text = `⚠ ${text}`;
    const x0 = Math.max(a, 0) + 4, room = Math.min(a + w, this.width) - x0 - 3;
    if (room < 14) return;
    const chars = Math.floor(room / 6.6);
    ctx.fillStyle = c === Cls.Cancelled ? this.palette.fg : this.palette.clsText[c];
    ctx.fillText(shorten(text, Math.max(1, chars)), x0, cy + 0.5, room);
  }

  private drawBins(r: number, level: number, usPerPx: number): void {
    const cov = this.data.coverage[r], ctx = this.ctx, p = this.palette;
    const { cover, mask } = cov.levels[level];
    const bw = cov.binDur * 4 ** level, n = cover.length;
    const [by, bh] = this.body;
    const y = r * this.rowH;
    for (let px = 0; px < this.width; px++) {
      const ta = this.t0 + px * usPerPx, tb = ta + usPerPx;
      const b0 = Math.max(0, Math.floor(ta / bw)), b1 = Math.min(n - 1, Math.floor(tb / bw));
      let c = 0, m = 0;
      for (let b = b0; b <= b1; b++) (c += cover[b]), (m |= mask[b]);
      if (!m) continue;
      const frac = Math.min(1, c / ((b1 - b0 + 1) * bw));
      const { body, problem } = pixelClasses(m, PROBLEM_FROM);
      ctx.globalAlpha = this.searchMask ? 0.25 : 0.35 + 0.65 * frac;
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

  private drawLogs(): void {
    const ctx = this.ctx, p = this.palette;
    const usPerPx = (this.t1 - this.t0) / this.width;
    this.data.logsByLane.forEach((logs, r) => {
      let lo = lowerBoundTs(logs, this.t0), lastPx = -1;
      for (; lo < logs.length && logs[lo].ts <= this.t1; lo++) {
        const px = Math.round((logs[lo].ts - this.t0) / usPerPx);
        if (px === lastPx) continue;
        lastPx = px;
        ctx.fillStyle = logs[lo].stream === 'stderr' ? p.logErr : p.log;
        ctx.fillRect(px, r * this.rowH + this.tick[0], 1, this.tick[1]);
      }
    });
  }

  private drawMarks(): void {
    const ctx = this.ctx, p = this.palette, d = this.data;
    for (const m of d.marks) {
      if (m.ts < this.t0 || m.ts > this.t1) continue;
      const r = d.rowOfLane.get(m.lane) ?? 0;
      const x = Math.round(this.x(m.ts)) + 0.5;
      const bad = BAD_MARKS.has(m.kind);
      ctx.strokeStyle = bad ? p.markBad : p.mark;
      ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 2]);
      ctx.beginPath();
      if (bad) (ctx.moveTo(x, 0), ctx.lineTo(x, d.rows.length * this.rowH));
      else (ctx.moveTo(x, r * this.rowH), ctx.lineTo(x, r * this.rowH + this.rowH));
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.moveTo(x - 4, r * this.rowH);
      ctx.lineTo(x + 4, r * this.rowH);
      ctx.lineTo(x, r * this.rowH + 6);
      ctx.closePath();
      ctx.fill();
    }
    const dl = d.meta.deadlock;
    if (dl && dl.ts >= this.t0 && dl.ts <= this.t1) {
      const x = Math.round(this.x(dl.ts)) + 0.5;
      ctx.strokeStyle = p.markBad;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x, 0);
      ctx.lineTo(x, d.rows.length * this.rowH);
      ctx.stroke();
      ctx.fillStyle = p.markBad;
      const tw = ctx.measureText('deadlock').width;
      ctx.fillText('deadlock', x + 4 + tw > this.width ? x - 4 - tw : x + 4, 8);
    }
  }

  private drawCounters(): void {
    const ctx = this.ctx, p = this.palette, d = this.data;
    const W = Math.ceil(this.width);
    if (this.pixelBuf.a.length !== W) this.pixelBuf.a = new Float32Array(W);
    const buf = this.pixelBuf.a;
    const series = [[d.queuedSeries, p.counterQueued], [d.busySeries, p.counterBusy]] as const;
    series.forEach(([s, colour], k) => {
      const top = d.rows.length * this.rowH + k * COUNTER_H;
      ctx.fillStyle = p.grid;
      ctx.fillRect(0, top, this.width, 1);
      if (!s.max) return;
      s.maxPerPixel(this.t0, this.t1, buf);
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

  private drawFindings(): void {
    const d = this.data, ctx = this.ctx, p = this.palette;
    for (const [i, fs] of d.findingsOfSpan) {
      if (i >= d.n || d.cols.end[i] < this.t0 || d.cols.start[i] > this.t1) continue;
      const error = fs.some((f) => d.findings[f].severity === 'error');
      const r = d.rowOf(i);
      if (r < 0) continue;
      const colour = error ? p.finding : p.findingWarn;
      this.drawOutline(i, colour, 2, []);
      const xa = Math.max(0, this.x(d.cols.start[i]));
      const y = r * this.rowH;
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.moveTo(xa, y + 1);
      ctx.lineTo(xa + 8, y + 1);
      ctx.lineTo(xa, y + 9);
      ctx.closePath();
      ctx.fill();
    }
  }

  private drawOutline(i: number | undefined, colour: string, width: number, dash: number[]): void {
    if (i === undefined || i >= this.data.n) return;
    const r = this.data.rowOf(i);
    if (r < 0) return;
    const xa = this.x(this.data.cols.start[i]), xb = this.x(this.data.cols.end[i]);
    if (xb < -4 || xa > this.width + 4) return;
    const a = Math.max(-3, xa) - 1.5, b = Math.min(this.width + 3, Math.max(xb, xa + 1)) + 1.5;
    const ctx = this.ctx;
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.strokeRect(a, r * this.rowH + this.body[0] - 2, b - a, this.body[1] + 4);
    ctx.setLineDash([]);
  }

  private drawChain(): void {
    const ch = this.chain;
    if (!ch || ch.points.length < 2) return;
    const ctx = this.ctx, p = this.palette;
    const cy = (row: number) => row * this.rowH + this.body[0] + this.body[1] / 2;
    ctx.strokeStyle = p.arrow;
    ctx.fillStyle = p.arrow;
    ctx.lineWidth = 1.5;
    for (const pt of ch.points) {
      ctx.beginPath();
      ctx.arc(this.x(pt.t), cy(pt.row), 4, 0, Math.PI * 2);
      ctx.fill();
    }
    for (const s of ch.steps) {
      const x0 = this.x(s.from.leaveAt ?? s.from.t), y0 = cy(s.from.row);
      const x1 = this.x(s.to.t), y1 = cy(s.to.row);
      const mx = (x0 + x1) / 2, my = Math.min(y0, y1) - (y0 === y1 ? 14 : 0);
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
      const label = `${s.label} ${fmtDur(s.delay)}`;
      const tw = ctx.measureText(label).width;
      const lx = Math.min(Math.max(mx - tw / 2, 2), this.width - tw - 2), ly = (y0 + y1) / 2;
      ctx.fillStyle = p.bg;
      ctx.globalAlpha = 0.85;
      ctx.fillRect(lx - 3, ly - 8, tw + 6, 16);
      ctx.globalAlpha = 1;
      ctx.fillStyle = p.arrow;
      ctx.fillText(label, lx, ly);
    }
  }

  private drawAxis(): void {
    const x = scaleLinear().domain([this.t0, this.t1]).range([0, this.width]);
    const g = this.axisSvg.selectAll<SVGGElement, unknown>('g.ticks').data([0]).join('g').attr('class', 'ticks').attr('transform', 'translate(0,23)');
    g.call(axisTop(x).ticks(Math.max(2, Math.floor(this.width / 110))).tickFormat((v) => fmtTime(+v)).tickSizeOuter(0));
    const readout = this.root.querySelector('.range-readout');
    if (readout) readout.textContent = `${fmtDur(this.t1 - this.t0)} in view`;
  }

  private drawOverview(): void {
    this.ovDirty = false;
    const d = this.data, p = this.palette, ctx = this.ovCanvas.getContext('2d', { alpha: false })!;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = p.laneAlt;
    ctx.fillRect(0, 0, this.width, OVERVIEW_H);
    const rows = d.rows.length;
    if (!rows) return;
    const rh = Math.max(1, Math.min(6, (OVERVIEW_H - 4) / rows));
    const [lo, hi] = this.world();
    const usPerPx = (hi - lo) / this.width;
    const { start, end } = d.cols;
    for (let r = 0; r < rows; r++) {
      const y = 2 + r * rh;
      const cov = d.coverage[r];
      const level = cov?.levelFor(usPerPx) ?? -1;
      if (level >= 0) {
        const { cover, mask } = cov.levels[level];
        const bw = cov.binDur * 4 ** level;
        for (let px = 0; px < this.width; px++) {
          const b0 = Math.max(0, Math.floor((lo + px * usPerPx) / bw)), b1 = Math.min(cover.length - 1, Math.floor((lo + (px + 1) * usPerPx) / bw));
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

  private moveBrush(): void {
    // With everything in view there is nothing to mark, and a drag anywhere starts a fresh selection.
    const [lo, hi] = this.world();
    if (this.t1 - this.t0 >= (hi - lo) * 0.995) {
      this.brushG.call(this.brusher.move, null);
      return;
    }
    const x = scaleLinear().domain([lo, hi]).range([0, this.width]);
    this.brushG.call(this.brusher.move, [x(this.t0), Math.max(x(this.t1), x(this.t0) + 2)]);
  }

  /** Where span i is drawn, in client coordinates (undefined when it is out of view). */
  spanBox(i: number): { x: number; y: number; w: number; h: number } | undefined {
    const r = this.data.rowOf(i);
    if (r < 0 || i >= this.data.n) return undefined;
    const xa = Math.max(0, this.x(this.data.cols.start[i])), xb = Math.min(this.width, this.x(this.data.cols.end[i]));
    if (xb < 0 || xa > this.width) return undefined;
    const b = this.canvas.getBoundingClientRect();
    return { x: b.left + xa, y: b.top + r * this.rowH + this.body[0], w: Math.max(xb - xa, 1), h: this.body[1] };
  }

  // ---- pointer and keyboard ----

  /** The span, printed line or mark under a point in canvas coordinates. */
  hitTest(px: number, py: number): HoverTarget | undefined {
    const d = this.data;
    const r = Math.floor(py / this.rowH);
    if (r < 0 || r >= d.rows.length) return undefined;
    const usPerPx = (this.t1 - this.t0) / this.width;
    const t = this.t0 + px * usPerPx, tol = 3 * usPerPx;
    const yIn = py - r * this.rowH;
    if (yIn >= this.tick[0] - 1) {
      const logs = d.logsByLane[r];
      let k = lowerBoundTs(logs, t - tol), best = -1, bestD = Infinity;
      for (; k < logs.length && logs[k].ts <= t + tol; k++) {
        const dist = Math.abs(logs[k].ts - t);
        if (dist < bestD) (bestD = dist), (best = k);
      }
      if (best >= 0) return { type: 'log', row: r, log: best };
    }
    if (yIn < BAND_QUEUE[0] + 4) {
      const m = d.marks.findIndex((mk) => d.rowOfLane.get(mk.lane) === r && Math.abs(mk.ts - t) <= tol * 1.5);
      if (m >= 0) return { type: 'mark', mark: m };
    }
    const { start, end } = d.cols;
    const list = d.byLane[r];
    const nestedWaits = d.rows[r].kind !== 'main';
    const inNestedBand = yIn >= this.body[0] + this.body[1] - 6;
    let best = -1, bestScore = Infinity;
    for (let k = d.lowerBound(r, t - d.maxDur[r] - tol); k < list.length; k++) {
      const i = list[k];
      if (start[i] > t + tol) break;
      if (end[i] < t - tol) continue;
      const inside = start[i] <= t && t <= end[i];
      let score = inside ? end[i] - start[i] - 1e15 : Math.min(Math.abs(start[i] - t), Math.abs(end[i] - t));
      // A nested wait is picked only on its own thin bar; elsewhere the span around it wins.
      if (nestedWaits && d.cols.kind[i] === K_WAIT && !inNestedBand) score += 2e15;
      if (score < bestScore) (bestScore = score), (best = i);
    }
    return best >= 0 ? { type: 'span', span: best } : undefined;
  }

  private local(e: MouseEvent): [number, number] {
    const b = this.canvas.getBoundingClientRect();
    return [e.clientX - b.left, e.clientY - b.top];
  }

  private onPointerMove(e: PointerEvent): void {
    if (e.buttons) return;
    const [x, y] = this.local(e);
    this.on.hover(this.hitTest(x, y), e.clientX, e.clientY);
  }

  private onClick(e: MouseEvent): void {
    const [x, y] = this.local(e);
    const hit = this.hitTest(x, y);
    const span = hit?.type === 'span' ? hit.span : undefined;
    if (span !== undefined) this.cursor = span;
    this.on.select(span);
    this.root.focus({ preventScroll: true });
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target !== this.root || e.altKey || e.ctrlKey || e.metaKey) return;
    const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    switch (k) {
      case 'w': this.zoomBy(1.5, this.cursorMid()); break;
      case 's': this.zoomBy(1 / 1.5, this.cursorMid()); break;
      case 'a': this.panBy(-0.2); break;
      case 'd': this.panBy(0.2); break;
      case 'f': case '0': this.fit(); break;
      case 'ArrowLeft': this.moveCursor(0, -1); break;
      case 'ArrowRight': this.moveCursor(0, 1); break;
      case 'ArrowUp': this.moveCursor(-1, 0); break;
      case 'ArrowDown': this.moveCursor(1, 0); break;
      case 'Enter': case ' ': this.on.select(this.cursor); break;
      case 'Escape': this.on.select(undefined); break;
      default: return;
    }
    e.preventDefault();
  }

  private cursorMid(): number | undefined {
    const c = this.cursor;
    if (c === undefined) return undefined;
    const m = (this.data.cols.start[c] + this.data.cols.end[c]) / 2;
    return m >= this.t0 && m <= this.t1 ? m : undefined;
  }

  /** Moves the keyboard cursor to the neighbouring span in its lane, or to the nearest span in the next non-empty lane. */
  moveCursor(dRow: number, dSpan: number): void {
    const d = this.data;
    const { start, end } = d.cols;
    let c = this.cursor;
    if (c === undefined || c >= d.n) {
      const r = d.byLane.findIndex((l) => l.length > 0);
      if (r < 0) return;
      const k = Math.min(d.lowerBound(r, this.t0), d.byLane[r].length - 1);
      c = d.byLane[r][k];
    } else if (dSpan) {
      const r = d.rowOf(c), list = d.byLane[r];
      const pos = list.indexOf(c);
      const next = pos + dSpan;
      if (next >= 0 && next < list.length) c = list[next];
    } else {
      const mid = (start[c] + end[c]) / 2;
      for (let r = d.rowOf(c) + dRow; r >= 0 && r < d.rows.length; r += dRow) {
        const list = d.byLane[r];
        if (!list.length) continue;
        const k = d.lowerBound(r, mid);
        const cands = [list[k - 1], list[k]].filter((x) => x !== undefined);
        c = cands.reduce((a, b) => (Math.abs((start[a] + end[a]) / 2 - mid) <= Math.abs((start[b] + end[b]) / 2 - mid) ? a : b));
        break;
      }
    }
    this.cursor = c;
    if (end[c] < this.t0 || start[c] > this.t1) {
      const w = this.t1 - this.t0, mid = (start[c] + end[c]) / 2;
      this.userWindow(mid - w / 2, mid + w / 2);
    }
    this.on.cursor(c);
    this.requestDraw();
  }
}

function lowerBoundTs(list: { ts: number }[], t: number): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

