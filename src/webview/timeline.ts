// The swimlane view: lane labels, the lanes canvas with its counter tracks, the time axis and
// the overview strip; D3 scales, zoom and brush; the window in view, pointer and keyboard.
// What a frame draws is lanePainter.ts.
import { axisTop } from 'd3-axis';
import { brushX, type BrushBehavior } from 'd3-brush';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior } from 'd3-zoom';
import type { Chain } from './chain';
import { formatDurationPrecise, type Mark } from '../protocol/wire';
import { el, clear } from './dom';
import { fmtTime } from './format';
import { spellEnd } from '../trace/workers';
import { BAND_QUEUE, COUNTER_H, LanePainter, type Frame } from './lanePainter';
import type { Palette } from './theme';
import { K_WAIT, lowerBoundTs, type TraceData } from './traceData';

const MIN_ROW_H = 30;
const MAX_ROW_H = 52;
const OVERVIEW_H = 44;
/** height of the axis row, the overview row and their borders: what the lanes cannot use */
const CHROME_H = 24 + OVERVIEW_H + 16;
const MIN_WINDOW_US = 5;
const FRAME_RING = 2048;

export interface TimelineEvents {
  hover(target: HoverTarget | undefined, clientX: number, clientY: number): void;
  select(span: number | undefined): void;
  cursor(span: number): void;
  range(t0: number, t1: number): void;
  follow(on: boolean): void;
}

/** How much a mark tells a reader hovering it: a death, then a replacement, an unhandled rejection or a handle left running, then the rest. */
function markRank(m: Mark): number {
  return m.kind === 'worker-died' ? 3 : (m.kind === 'worker-start' && m.replaces) || m.kind === 'unhandled' || m.kind === 'left-running' ? 2 : 1;
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
  private readonly painter: LanePainter;
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

  constructor(
    private readonly data: TraceData,
    palette: Palette,
    private readonly on: TimelineEvents,
  ) {
    this.canvas = el('canvas', { class: 'lanes-canvas', 'aria-hidden': 'true' });
    this.painter = new LanePainter(data, this.canvas.getContext('2d', { alpha: false })!, palette);
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
      {
        class: 'timeline',
        tabindex: 0,
        role: 'application',
        'aria-roledescription': 'timeline',
        'aria-label': 'Timeline. W and S zoom, A and D pan, arrow keys move between spans, Enter selects, F fits.',
      },
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
        const mid = x.invert(ev.sourceEvent.clientX - this.ovCanvas.getBoundingClientRect().left),
          w = this.t1 - this.t0;
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
    this.painter.palette = p;
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
      const spans = d.laneSpans(r);
      const notKept = d.notKeptSpans[r] ? ` (${d.notKeptSpans[r].toLocaleString('en-US')} not kept)` : '';
      const spells = d.workers.get(lane.id) ?? [];
      const died = spells.filter((s) => s.end?.kind === 'worker-died').length;
      // A process lane shows the pid behind it now, and how many of its workers died; its title lists every process it had.
      const pid = d.isProcessLane(lane) && lane.pid !== undefined ? `pid ${lane.pid}` : '';
      const history =
        d.isProcessLane(lane) && spells.length
          ? `; processes: ${spells.map((s) => `pid ${s.pid ?? '?'}${s.end ? ` (${spellEnd(s)} at ${fmtTime(s.end.ts)})` : ''}`).join(', ')}`
          : '';
      const deaths = died ? `; ${died} of its workers died` : '';
      this.labels.append(
        el(
          'div',
          {
            class: `lane-label lane-${lane.kind}`,
            role: 'listitem',
            'data-lane': lane.name,
            'data-spans': spans,
            title: `${lane.name}: ${spans} spans${notKept}, ${busy}${deaths}${history}`,
          },
          el('span', { class: 'lane-name' }, lane.name, died > 0 && el('span', { class: 'lane-died', 'aria-label': `${died} died` }, ` ✕${died}`)),
          el('span', { class: 'lane-busy' }, pid && el('span', { class: 'lane-pid' }, `${pid} · `), busy),
        ),
      );
    });
    const q = el(
      'div',
      { class: 'lane-label counter-label', role: 'listitem' },
      el('span', { class: 'lane-name' }, 'Tasks queued'),
      el('span', { class: 'lane-busy' }, `max ${d.queuedSeries.max}`),
    );
    const b = el(
      'div',
      { class: 'lane-label counter-label', role: 'listitem' },
      el('span', { class: 'lane-name' }, 'Workers busy'),
      el('span', { class: 'lane-busy' }, `max ${d.busySeries.max}`),
    );
    this.labels.append(q, b);
  }

  private resize(): void {
    const wrap = this.canvas.parentElement!;
    if (!this.watchingDpr) {
      // Moving the window to a screen of another density changes no size: watch for it.
      this.watchingDpr = true;
      matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`).addEventListener(
        'change',
        () => {
          this.watchingDpr = false;
          this.resize();
        },
        { once: true },
      );
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
    // Assigning a canvas's size wipes its pixels, even when the size stays the same: the
    // ResizeObserver calls this right after a frame (the lanes growing to hold the data makes
    // it fire), so only a size that really changed may touch the canvases.
    let wiped = false;
    for (const [c, w, h] of [
      [this.canvas, this.width, this.height],
      [this.ovCanvas, this.width, OVERVIEW_H],
    ] as const) {
      c.style.width = `${w}px`;
      c.style.height = `${h}px`;
      const bw = Math.round(w * this.dpr),
        bh = Math.round(h * this.dpr);
      if (c.width === bw && c.height === bh) continue;
      c.width = bw;
      c.height = bh;
      wiped = true;
    }
    this.axisSvg.attr('width', this.width).attr('height', 24);
    this.ovSvg.attr('width', this.width).attr('height', OVERVIEW_H);
    this.brusher.extent([
      [0, 0],
      [this.width, OVERVIEW_H],
    ]);
    this.brushG.call(this.brusher);
    this.ovDirty = true;
    this.syncZoom();
    if (!wiped) return this.requestDraw();
    // A wiped canvas is redrawn now, not at the next frame: a ResizeObserver runs after this
    // frame's drawing, so waiting would show the lanes blank for a frame, and whoever reads
    // them in between (a person, a screenshot, a test) would see nothing drawn.
    cancelAnimationFrame(this.pending);
    this.pending = 0;
    this.draw();
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
    if (!Number.isFinite(t0) || !Number.isFinite(w)) {
      t0 = lo;
      w = hi - lo;
    }
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
    let a = Infinity,
      b = -Infinity;
    for (const i of spans) {
      a = Math.min(a, start[i]);
      b = Math.max(b, end[i]);
    }
    if (a >= this.t0 && b <= this.t1 && ((b - a) * this.width) / (this.t1 - this.t0) > 4) return;
    const pad = Math.max((b - a) * 0.25, MIN_WINDOW_US);
    const w = Math.max(b - a + 2 * pad, Math.min(this.t1 - this.t0, (b - a) * 20 + 2 * pad));
    const mid = (a + b) / 2;
    this.userWindow(mid - w / 2, mid + w / 2);
  }

  private syncZoom(): void {
    const [lo, hi] = this.world();
    this.base.domain([lo, hi]).range([0, this.width]);
    const k = (hi - lo) / (this.t1 - this.t0);
    this.zoomer
      .scaleExtent([1, Math.max(1, (hi - lo) / MIN_WINDOW_US)])
      .translateExtent([
        [0, 0],
        [this.width, this.height],
      ])
      .extent([
        [0, 0],
        [this.width, this.height],
      ]);
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
    this.painter.paint(this.frame(), this.height, this.dpr);
    this.drawAxis();
    if (this.ovDirty) {
      this.ovDirty = false;
      this.painter.overview(this.ovCanvas.getContext('2d', { alpha: false })!, this.world(), this.width, OVERVIEW_H, this.dpr);
    }
    this.moveBrush();
    this.frameTimes[this.frameCount++ % FRAME_RING] = performance.now() - t;
    if (!this.firstFrame && this.data.rows.length > 0) {
      this.firstFrame = true;
      performance.mark('poolscope:first-frame');
    }
  }

  private frame(): Frame {
    return {
      t0: this.t0,
      t1: this.t1,
      width: this.width,
      rowH: this.rowH,
      body: this.body,
      tick: this.tick,
      selected: this.selected,
      cursor: this.cursor,
      chain: this.chain,
      searchMask: this.searchMask,
    };
  }

  private drawAxis(): void {
    const x = scaleLinear().domain([this.t0, this.t1]).range([0, this.width]);
    const g = this.axisSvg.selectAll<SVGGElement, unknown>('g.ticks').data([0]).join('g').attr('class', 'ticks').attr('transform', 'translate(0,23)');
    g.call(
      axisTop(x)
        .ticks(Math.max(2, Math.floor(this.width / 110)))
        .tickFormat((v) => fmtTime(+v))
        .tickSizeOuter(0),
    );
    const readout = this.root.querySelector('.range-readout');
    if (readout) readout.textContent = `${formatDurationPrecise(this.t1 - this.t0)} in view`;
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
    const xa = Math.max(0, this.x(this.data.cols.start[i])),
      xb = Math.min(this.width, this.x(this.data.cols.end[i]));
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
    const t = this.t0 + px * usPerPx,
      tol = 3 * usPerPx;
    const yIn = py - r * this.rowH;
    if (yIn >= this.tick[0] - 1) {
      const logs = d.logsByLane[r];
      let k = lowerBoundTs(logs, t - tol),
        best = -1,
        bestD = Infinity;
      for (; k < logs.length && logs[k].ts <= t + tol; k++) {
        const dist = Math.abs(logs[k].ts - t);
        if (dist < bestD) {
          bestD = dist;
          best = k;
        }
      }
      if (best >= 0) return { type: 'log', row: r, log: best };
    }
    if (yIn < BAND_QUEUE[0] + 4) {
      // Marks often share a moment (a respawn and the replacement's start): the one that tells most wins.
      let m = -1;
      d.marks.forEach((mk, k) => {
        if (d.rowOfLane.get(mk.lane) !== r || Math.abs(mk.ts - t) > tol * 1.5) return;
        if (m < 0 || markRank(mk) > markRank(d.marks[m])) m = k;
      });
      if (m >= 0) return { type: 'mark', mark: m };
    }
    const { start, end } = d.cols;
    const list = d.byLane[r];
    const nestedWaits = d.rows[r].kind !== 'main';
    const inNestedBand = yIn >= this.body[0] + this.body[1] - 6;
    let best = -1,
      bestScore = Infinity;
    for (let k = d.lowerBound(r, t - d.maxDur[r] - tol); k < list.length; k++) {
      const i = list[k];
      if (start[i] > t + tol) break;
      if (end[i] < t - tol) continue;
      const inside = start[i] <= t && t <= end[i];
      let score = inside ? end[i] - start[i] - 1e15 : Math.min(Math.abs(start[i] - t), Math.abs(end[i] - t));
      // A nested wait is picked only on its own thin bar; elsewhere the span around it wins.
      if (nestedWaits && d.cols.kind[i] === K_WAIT && !inNestedBand) score += 2e15;
      if (score < bestScore) {
        bestScore = score;
        best = i;
      }
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
      case 'w':
        this.zoomBy(1.5, this.cursorMid());
        break;
      case 's':
        this.zoomBy(1 / 1.5, this.cursorMid());
        break;
      case 'a':
        this.panBy(-0.2);
        break;
      case 'd':
        this.panBy(0.2);
        break;
      case 'f':
      case '0':
        this.fit();
        break;
      case 'ArrowLeft':
        this.moveCursor(0, -1);
        break;
      case 'ArrowRight':
        this.moveCursor(0, 1);
        break;
      case 'ArrowUp':
        this.moveCursor(-1, 0);
        break;
      case 'ArrowDown':
        this.moveCursor(1, 0);
        break;
      case 'Enter':
      case ' ':
        this.on.select(this.cursor);
        break;
      case 'Escape':
        this.on.select(undefined);
        break;
      default:
        return;
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
      const r = d.rowOf(c),
        list = d.byLane[r];
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
      const w = this.t1 - this.t0,
        mid = (start[c] + end[c]) / 2;
      this.userWindow(mid - w / 2, mid + w / 2);
    }
    this.on.cursor(c);
    this.requestDraw();
  }
}
