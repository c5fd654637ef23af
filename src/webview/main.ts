// The inspector view: wires the data, the canvas timeline and the panels to the host.
import type { HostEnvelope, HostMessage } from '../protocol/messages';
import { formatDurationPrecise, type Site } from '../protocol/wire';
import { causalChain } from './chain';
import { append, el, clear } from './dom';
import { baseName, fmtTime } from './format';
import { connectHost, type SavedState } from './host';
import { Tooltip, goTo, renderDetails, renderFindings, renderTables, type PanelActions } from './panels';
import { onThemeChange, readPalette, type Palette } from './theme';
import { Timeline } from './timeline';
import { Cls, TraceData } from './traceData';

const data = new TraceData();
const app = document.getElementById('app') ?? document.body;
const live = el('div', { class: 'sr-only', 'aria-live': 'polite', role: 'status' });
const notice = el('div', { class: 'notice', role: 'status', hidden: true });
const showNotice = (text: string) => {
  notice.textContent = text;
  notice.hidden = false;
};
const host = connectHost(showNotice);
// A run past the host's span budget: what was left out, said in words (text only, as all trace text).
const notKeptNote = el('div', { class: 'notice not-kept', role: 'note', hidden: true });

const title = el('h1', { class: 'title' }, 'Pool Inspector');
const outcome = el('span', { class: 'outcome' });
const search = el('input', { type: 'search', class: 'search', placeholder: 'Search tasks and callbacks', 'aria-label': 'Search spans by task or callback name' });
const searchCount = el('output', { class: 'search-count', 'aria-live': 'polite' });
const btn = (label: string, title: string, pressed?: boolean) =>
  el('button', { type: 'button', class: 'tool', title, 'aria-pressed': pressed === undefined ? undefined : String(pressed) }, label);
const fitBtn = btn('Fit', 'Zoom to fit (F)');
const followBtn = btn('Follow', 'Keep the newest time in view', true);
const tableBtn = btn('Table', 'Show lanes, spans and findings as tables', false);
const exportBtn = btn('Export…', 'Export the trace as Chrome Trace Event JSON');
const openBtn = btn('Open…', 'Open a trace: Chrome Trace Event JSON or a poolscope run journal (.psrec)');
// The legend shows the very colours the canvas uses (theme colours resolved to opaque ones).
const LEGEND: [label: string, colour: (p: Palette) => string][] = [
  ['task', (p) => p.cls[Cls.TaskOk]],
  ['error', (p) => p.cls[Cls.TaskError]],
  ['lost', (p) => p.cls[Cls.TaskLost]],
  ['cancelled', (p) => p.cls[Cls.Cancelled]],
  ['callback', (p) => p.cls[Cls.CallbackOk]],
  ['threw', (p) => p.cls[Cls.CallbackThrew]],
  ['slow callback', (p) => p.cls[Cls.CallbackSlow]],
  ['wait', (p) => p.cls[Cls.WaitOk]],
  ['main running', (p) => p.cls[Cls.MainRun]],
  ['queued', (p) => p.queue],
  ['printed', (p) => p.log],
];
const swatches = LEGEND.map(([label]) => el('i', { class: `swatch sw-${label.replace(' ', '-')}` }));
const legend = el('div', { class: 'legend', 'aria-label': 'Legend' }, ...LEGEND.map(([label], k) => el('span', { class: 'key' }, swatches[k], label)));
function paintLegend(p: Palette): void {
  LEGEND.forEach(([label, colour], k) => {
    const sw = swatches[k].style;
    if (label === 'cancelled') sw.borderColor = colour(p);
    else sw.background = colour(p);
  });
}
const toolbar = el(
  'header',
  { class: 'toolbar' },
  title,
  outcome,
  el('div', { class: 'search-box' }, search, searchCount),
  fitBtn,
  followBtn,
  tableBtn,
  host.kind === 'vscode' && exportBtn,
  host.kind === 'vscode' && openBtn,
);
const details = el('section', { class: 'details', 'aria-label': 'Details' });
const findings = el('section', { class: 'findings', 'aria-label': 'Findings' });
const tables = el('section', { class: 'tables', 'aria-label': 'Table view', hidden: true });
const tooltip = new Tooltip();

const actions: PanelActions = {
  select: (i, reveal) => selectSpan(i, reveal),
  selectFinding: (k) => {
    const f = data.findings[k];
    const spans = f.spans.filter((i) => i < data.n);
    selectSpan(spans[0], false);
    timeline.reveal(spans);
    findings.querySelectorAll('.finding').forEach((li, j) => li.classList.toggle('active', j === k));
  },
  openSource: host.kind === 'vscode' ? (site: Site) => host.post({ type: 'openSource', site }) : undefined,
};

const palette = readPalette();
paintLegend(palette);
const timeline = new Timeline(data, palette, {
  hover: (target, x, y) => tooltip.show(data, target, x, y),
  select: (i) => selectSpan(i, false),
  cursor: (i) => {
    const s = data.span(i);
    live.textContent = `${s.lane.name}: ${s.name}, ${s.kind} ${s.status}, starts ${fmtTime(s.start)}, lasts ${formatDurationPrecise(s.end - s.start)}`;
  },
  range: () => viewMoved(),
  follow: (on) => {
    followBtn.setAttribute('aria-pressed', String(on));
    saveState();
  },
});

app.append(toolbar, legend, notice, notKeptNote, el('main', { class: 'body' }, timeline.root, el('aside', { class: 'side' }, details, findings)), tables, tooltip.root, live);
onThemeChange(() => {
  const p = readPalette();
  paintLegend(p);
  timeline.setPalette(p);
});

function selectSpan(i: number | undefined, reveal = false): void {
  timeline.selected = i;
  if (i !== undefined) timeline.cursor = i;
  timeline.chain = i === undefined ? undefined : causalChain(data, i);
  renderDetails(details, data, i, timeline.chain, actions);
  if (i !== undefined && reveal) timeline.reveal([i]);
  if (!tables.hidden) listTables();
  timeline.requestDraw();
  saveState();
}

function runSearch(): void {
  const q = search.value.trim().toLowerCase();
  if (!q) {
    timeline.searchMask = undefined;
    searchCount.textContent = '';
    timeline.requestDraw();
    return;
  }
  const hit = new Uint8Array(data.strings.length);
  data.strings.forEach((s, id) => (hit[id] = id > 0 && s.toLowerCase().includes(q) ? 1 : 0));
  const mask = new Uint8Array(data.n);
  let count = 0;
  const { name, kind } = data.cols;
  for (let i = 0; i < data.n; i++) {
    if (kind[i] <= 1 && hit[name[i]]) {
      mask[i] = 1;
      count++;
    }
  }
  timeline.searchMask = mask;
  searchCount.textContent = `${count} match${count === 1 ? '' : 'es'}`;
  timeline.requestDraw();
}

/** Enter in the search box: the next match after the selection, in time order. */
function nextMatch(): void {
  const mask = timeline.searchMask;
  if (!mask) return;
  const { start } = data.cols;
  const from = timeline.selected !== undefined ? start[timeline.selected] : -Infinity;
  let best = -1,
    first = -1;
  for (let i = 0; i < data.n; i++) {
    if (!mask[i]) continue;
    if (first < 0 || start[i] < start[first]) first = i;
    if ((start[i] > from || (start[i] === from && i > (timeline.selected ?? -1))) && (best < 0 || start[i] < start[best])) best = i;
  }
  const target = best >= 0 ? best : first;
  if (target >= 0) selectSpan(target, true);
}

search.addEventListener('input', () => {
  runSearch();
  saveState();
});
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') nextMatch();
});
fitBtn.addEventListener('click', () => timeline.fit());
followBtn.addEventListener('click', () => timeline.setFollow(followBtn.getAttribute('aria-pressed') !== 'true'));
tableBtn.addEventListener('click', () => {
  tables.hidden = !tables.hidden;
  tableBtn.setAttribute('aria-pressed', String(!tables.hidden));
  if (!tables.hidden) {
    listTables();
    tables.querySelector('button')?.focus();
  }
  saveState();
});
exportBtn.addEventListener('click', () => host.post({ type: 'exportTrace' }));
openBtn.addEventListener('click', () => host.post({ type: 'openTrace' }));

/** The window the table view lists the spans of. */
let tablesWindow: [number, number] | undefined;
function listTables(): void {
  tablesWindow = [timeline.t0, timeline.t1];
  // A rebuild replaces the buttons: keep a keyboard user on the row they were on.
  const focused = tables.contains(document.activeElement) ? (document.activeElement as HTMLElement).dataset.key : undefined;
  renderTables(tables, data, timeline.t0, timeline.t1, timeline.selected, actions);
  if (focused) tables.querySelector<HTMLElement>(`[data-key="${focused}"]`)?.focus();
}

/** After zooming or panning settles: remember the window, and list the spans now in view. */
let movedTimer: ReturnType<typeof setTimeout> | undefined;
function viewMoved(): void {
  clearTimeout(movedTimer);
  movedTimer = setTimeout(() => {
    saveState();
    // Rebuilding the tables drops the keyboard focus in them: only do it when they list another
    // window. (The tables opened just after the data arrived already list the window it set.)
    const listed = tablesWindow;
    if (!tables.hidden && (!listed || listed[0] !== timeline.t0 || listed[1] !== timeline.t1)) listTables();
  }, 200);
  clearTimeout(windowTimer);
  windowTimer = setTimeout(loadWindow, WINDOW_SETTLE_MS);
}

// A run the host did not keep whole, with its journal on disk: when the view settles on a part
// of the run the tasks held do not cover, the host loads that window's tasks. One ask at a time,
// never the same window twice in a row, and never for the whole run in view (what the host kept
// already stands for it): the view asks only when the user moves it.
const WINDOW_SETTLE_MS = 400;
let windowTimer: ReturnType<typeof setTimeout> | undefined;
let windowsFromHost = false;
let running = false;
/** the window asked for and not yet shown, and the last one asked for */
let loadingWindow: [number, number] | undefined;
let askedWindow: [number, number] | undefined;

/** Whether the tasks held are all those that ran in [t0, t1]. */
function holdsAll(t0: number, t1: number): boolean {
  const n = data.notKept;
  if (!n) return true;
  const w = n.window;
  if (w) return w.complete && t0 >= w.from && t1 <= w.to;
  // The budget kept every task issued before the first one it left out.
  return !n.byBudget || t1 <= n.firstTs;
}

function loadWindow(): void {
  if (!windowsFromHost || running || loadingWindow || timeline.fitAll || !data.notKept) return;
  const t0 = Math.max(0, timeline.t0);
  const t1 = Math.min(data.end, timeline.t1);
  if (t1 <= t0 || holdsAll(t0, t1) || (askedWindow && askedWindow[0] === t0 && askedWindow[1] === t1)) return;
  loadingWindow = askedWindow = [t0, t1];
  host.post({ type: 'loadWindow', from: t0, to: t1 });
  showNotKept();
}

function saveState(): void {
  if (!data.n) return;
  host.setState({ t0: timeline.t0, t1: timeline.t1, fitAll: timeline.fitAll, follow: timeline.follow, selected: timeline.selected, search: search.value, table: !tables.hidden });
}

let restored: SavedState | undefined = host.getState();
function restore(): void {
  const s = restored;
  restored = undefined;
  if (!s) return;
  search.value = s.search;
  runSearch();
  timeline.fitAll = s.fitAll;
  timeline.follow = s.follow;
  followBtn.setAttribute('aria-pressed', String(s.follow));
  if (!s.fitAll) timeline.setWindow(s.t0, s.t1);
  if (s.selected !== undefined && s.selected < data.n) selectSpan(s.selected);
  if (s.table) tableBtn.click();
}

let lastSeq = 0;
let synced = false;
host.listen((env: HostEnvelope) => {
  const m = env.msg;
  const snapshot = m.type === 'trace' && m.patch.reset;
  if (!snapshot) {
    if (!synced) return;
    if (env.seq !== lastSeq + 1) {
      // A lost or reordered batch: drop everything until the host sends a fresh snapshot.
      synced = false;
      host.post({ type: 'resync', expected: lastSeq + 1, got: env.seq });
      return;
    }
  }
  synced = true;
  lastSeq = env.seq;
  handle(m);
});
host.post({ type: 'ready', lastSeq: 0 });

/** While a big trace arrives in pieces, the view rebuilds at most this often. */
const REBUILD_MS = 250;
let rebuiltAt = -Infinity;

function handle(m: HostMessage): void {
  switch (m.type) {
    case 'trace': {
      if (m.patch.reset && !restored) {
        timeline.follow = m.running;
        followBtn.setAttribute('aria-pressed', String(m.running));
      }
      data.apply(m.patch);
      if (m.options) {
        data.slowUs = m.options.blockThresholdMs * 1000;
        windowsFromHost = m.options.windows === true;
      }
      running = m.running;
      if (m.patch.reset) loadingWindow = undefined;
      // Taken whatever comes next: the host sends findings once, maybe with a piece that is not drawn yet.
      if (m.findings) data.setFindings(m.findings);
      const applied = () => host.post({ type: 'applied', spans: data.n, lanes: data.lanes.length, seq: lastSeq });
      // A piece of a big trace with more to come: its indexes are rebuilt when the rest is in,
      // or at most every REBUILD_MS meanwhile (a live run may stay behind for long).
      if (m.patch.more && performance.now() - rebuiltAt < REBUILD_MS) {
        applied();
        break;
      }
      rebuiltAt = performance.now();
      data.refresh();
      showMeta(m.running);
      timeline.dataChanged();
      renderFindings(findings, data, actions);
      if (timeline.selected !== undefined) selectSpan(timeline.selected);
      else renderDetails(details, data, undefined, undefined, actions);
      if (search.value) runSearch();
      if (!tables.hidden) listTables();
      restore();
      applied();
      break;
    }
    case 'findings':
      data.setFindings(m.findings);
      renderFindings(findings, data, actions);
      timeline.requestDraw();
      break;
    case 'select': {
      const spans = m.spans.filter((i) => Number.isInteger(i) && i >= 0 && i < data.n);
      if (!spans.length) break;
      selectSpan(spans[0]);
      timeline.reveal(spans);
      break;
    }
    case 'notice':
      showNotice(m.text);
      if (loadingWindow) {
        loadingWindow = undefined;
        showNotKept();
      }
      break;
  }
}

function showMeta(running: boolean): void {
  const file = data.meta.file;
  title.textContent = file ? baseName(file) : 'Pool Inspector';
  title.title = file;
  clear(outcome);
  outcome.className = `outcome outcome-${running ? 'running' : data.meta.outcome}`;
  const notKept = data.notKept ? ` · ${count(data.notKept.tasks)} tasks not kept` : '';
  outcome.append(running ? 'running…' : data.meta.outcome, ` · ${data.n} spans${notKept} · ${formatDurationPrecise(data.end)}`);
  const at = running ? undefined : data.meta.stoppedAt;
  if (at)
    append(outcome, ' · main was at ', el('span', { class: 'site', title: at.file }, `${baseName(at.file)}:${at.line}:${at.col}`), ' ', actions.openSource && goTo(at, actions));
  showNotKept();
  document.title = `${title.textContent} — Pool Inspector`;
}

const count = (n: number) => n.toLocaleString('en-US');

function showNotKept(): void {
  const n = data.notKept;
  notKeptNote.hidden = !n;
  if (!n) return;
  const failed = n.failed ? ` ${count(n.failed)} of them failed.` : '';
  const w = n.window;
  let text: string;
  if (w) {
    const kept = w.runTasks - n.tasks;
    text =
      `Shown: the tasks that ran from ${fmtTime(w.from)} to ${fmtTime(w.to)}, loaded from the run's journal` +
      (w.complete ? '' : ` (the first ${count(kept)} of them, as many as a run keeps: zoom in for the rest)`) +
      `; ${count(n.tasks)} of the run's ${count(w.runTasks)} tasks are outside it, counted per lane (spans and busy share) but not drawn.${failed} ` +
      'The findings are those of the whole run, analysed at its end over the tasks kept then; they mark no span here.';
  } else {
    const from = n.byBudget && n.firstTask > 0 ? `, from task ${count(n.firstTask)} on (issued at ${fmtTime(n.firstTs)})` : '';
    text =
      `Not kept in memory: ${count(n.tasks)} tasks${from}, ${n.reason}. ` + `They are counted per lane (spans and busy share), but not drawn and not in the findings.${failed}`;
    if (windowsFromHost && !running) text += " Zoom into any part of the run to load its tasks from the run's journal on disk.";
  }
  if (loadingWindow) text = `Loading the tasks that ran from ${fmtTime(loadingWindow[0])} to ${fmtTime(loadingWindow[1])} from the run's journal… ` + text;
  notKeptNote.textContent = text;
}

/** Read-only probes for benchmarks and tests (test builds only): frame times, what the view holds, where a span is drawn. */
if (POOLSCOPE_TEST_HOOKS) {
  (window as unknown as { poolscopeProbe: unknown }).poolscopeProbe = {
    stats: () => ({
      spans: data.n,
      lanes: data.rows.map((l) => l.name),
      window: [timeline.t0, timeline.t1],
      selected: timeline.selected,
      cursor: timeline.cursor,
      frames: Array.from(timeline.frameTimes.subarray(0, Math.min(timeline.frameCount, timeline.frameTimes.length))),
      frameCount: timeline.frameCount,
    }),
    locate: (i: number) => timeline.spanBox(i),
  };
}
