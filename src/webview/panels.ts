// The DOM around the canvas: hover tooltip, details pane (with the causal chain), the findings
// list and the accessible table view. Everything from the trace is inserted as text.
import { formatDurationPrecise, type Mark, type Site, type WireFinding } from '../protocol/wire';
import type { MarkKind } from '../trace/model';
import { spellEnd, type WorkerSpell } from '../trace/workers';
import type { Chain } from './chain';
import { append, el, clear } from './dom';
import { baseName, fmtTime, shorten } from './format';
import type { HoverTarget } from './timeline';
import { K_TASK, type TraceData } from './traceData';

export interface PanelActions {
  select(span: number | undefined, reveal?: boolean): void;
  selectFinding(k: number): void;
  openSource?(site: Site): void;
}

const PREVIEW = 160;
const TABLE_ROWS = 300;

function statusText(d: TraceData, i: number): string {
  const s = d.span(i);
  if (s.kind === 'callback' && s.slow && s.status === 'ok') return `slow (over ${formatDurationPrecise(d.slowUs)})`;
  if (s.status === 'lost') return 'lost (its worker died while running it)';
  return s.status;
}

/** What a span's text is, by its status: a result, an error, or how its worker died. */
function textLabel(status: string): string {
  return status === 'ok' ? 'result' : status === 'lost' ? 'worker died' : 'error';
}

const MARK_TITLES: Record<MarkKind, string> = {
  'pool-created': 'pool created',
  close: 'close()',
  terminate: 'terminate()',
  shutdown: 'shutdown()',
  broken: 'pool broken',
  'handler-died': 'result handler died',
  respawn: 'pool respawned a worker',
  'worker-start': 'worker started',
  'worker-exit': 'worker exited',
  'worker-died': 'worker died',
  unhandled: 'unhandled promise rejection',
  'left-running': 'left running by a task',
  reshaped: 'a class instance became a plain object',
  deadlock: 'deadlock',
  'main-returned': 'main returned',
  'main-threw': 'main threw',
};

/** 'pid 5001' for a process lane's worker, '' for a thread's (its pid is the run's own). */
function pidOf(d: TraceData, laneId: number, spell: WorkerSpell | undefined): string {
  const lane = d.lanes.find((l) => l.id === laneId);
  return lane && spell?.pid !== undefined && d.isProcessLane(lane) ? `pid ${spell.pid}` : '';
}

/** A recorded reason, unless its first line is all that `said` already says ('killed by SIGKILL' twice). */
function beyond(text: string | undefined, said: string): string | undefined {
  if (!text) return undefined;
  const first = text.split('\n', 1)[0].trim();
  return first === text.trim() && said.includes(first) ? undefined : text;
}

/** A mark's title and the lines that tell what happened there. */
function describeMark(d: TraceData, m: Mark): { title: string; lines: string[] } {
  const lane = d.lanes.find((l) => l.id === m.lane)?.name ?? `lane ${m.lane}`;
  const task = (id: number | undefined) => {
    if (id === undefined) return '';
    let name = '';
    for (let i = 0; i < d.n && !name; i++) if (d.cols.taskId[i] === id && d.cols.kind[i] === K_TASK) name = d.name(i);
    return `task ${name ? `${name} ` : ''}#${id}`;
  };
  const lines: string[] = [`${lane} at ${fmtTime(m.ts)}`];
  if (m.kind === 'worker-start') {
    const pid = pidOf(d, m.lane, { lane: m.lane, pid: m.pid, replaces: false });
    if (pid) lines.push(pid);
    if (m.replaces) {
      const before = (d.workers.get(m.lane) ?? []).filter((s) => s.end && s.end.ts <= m.ts).pop();
      const was = before ? [pidOf(d, m.lane, before), spellEnd(before)].filter(Boolean).join(' ') : '';
      lines.push(`replaces the worker that ended here${was ? ` (${was})` : ''}`);
    }
  } else if (m.kind === 'worker-died') {
    const spell = (d.workers.get(m.lane) ?? []).find((s) => s.end === m);
    lines.push([pidOf(d, m.lane, spell), spell ? spellEnd(spell) : 'died'].filter(Boolean).join(' '));
    if (m.task !== undefined) lines.push(`while running ${task(m.task)}, which is lost`);
  } else if ((m.kind === 'unhandled' || m.kind === 'left-running' || m.kind === 'reshaped') && m.task !== undefined) {
    lines.push(`in ${task(m.task)}`);
  }
  const title = m.kind === 'worker-start' && m.replaces ? 'replacement worker started' : (MARK_TITLES[m.kind] ?? m.kind);
  return { title, lines };
}

export class Tooltip {
  readonly root = el('div', { class: 'tooltip', role: 'tooltip', hidden: true });

  show(d: TraceData, target: HoverTarget | undefined, x: number, y: number): void {
    if (!target) {
      this.root.hidden = true;
      return;
    }
    clear(this.root);
    if (target.type === 'span') {
      const s = d.span(target.span);
      const spanFindings = d.findingsOf(target.span);
      append(
        this.root,
        el('div', { class: 'tt-title' }, s.name),
        el('div', { class: 'tt-sub' }, `${s.lane.name} · ${s.kind}${s.cbKind ? ` (${s.cbKind})` : ''} · ${statusText(d, target.span)}`),
        el('div', {}, `start ${fmtTime(s.start)} · duration ${formatDurationPrecise(s.end - s.start)}`),
        s.queued !== undefined && el('div', {}, `queued ${formatDurationPrecise(s.start - s.queued)}`),
        s.args && el('div', { class: 'tt-pre' }, `args ${shorten(s.args, PREVIEW)}`),
        s.text && el('div', { class: `tt-pre${s.status === 'ok' ? '' : ' tt-error'}` }, `${textLabel(s.status)} ${shorten(s.text, PREVIEW)}`),
        spanFindings.length > 0 && el('div', { class: 'tt-error' }, spanFindings.map((f) => d.findings[f].message).join('\n')),
      );
    } else if (target.type === 'log') {
      const l = d.logsByLane[target.row][target.log];
      append(
        this.root,
        el('div', { class: 'tt-sub' }, `${d.rows[target.row].name} printed (${l.stream}) at ${fmtTime(l.ts)}`),
        el('div', { class: 'tt-pre' }, shorten(l.text, 400)),
      );
    } else {
      const m = d.marks[target.mark];
      const { title, lines } = describeMark(d, m);
      const text = beyond(m.text, lines.join('\n'));
      append(this.root, el('div', { class: 'tt-title' }, title), ...lines.map((l) => el('div', {}, l)), text && el('div', { class: 'tt-pre' }, shorten(text, 400)));
    }
    this.root.hidden = false;
    const w = this.root.offsetWidth,
      h = this.root.offsetHeight;
    const left = x + 14 + w > window.innerWidth ? Math.max(4, x - w - 10) : x + 14;
    const top = y + 14 + h > window.innerHeight ? Math.max(4, y - h - 10) : y + 14;
    this.root.style.left = `${left}px`;
    this.root.style.top = `${top}px`;
  }
}

function siteRow(label: string, site: Site | undefined, act: PanelActions): HTMLElement[] {
  if (!site) return [];
  return [
    el('dt', {}, label),
    el('dd', {}, el('span', { class: 'site', title: site.file }, `${baseName(site.file)}:${site.line}:${site.col}`), ' ', act.openSource && goTo(site, act)),
  ];
}

export function goTo(site: Site, act: PanelActions): HTMLButtonElement {
  const b = el('button', { class: 'link go-to-source', type: 'button', title: `${site.file}:${site.line}:${site.col}` }, 'Go to source');
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    act.openSource?.(site);
  });
  return b;
}

export function renderDetails(root: HTMLElement, d: TraceData, i: number | undefined, chain: Chain | undefined, act: PanelActions): void {
  clear(root);
  root.append(el('h2', {}, 'Details'));
  if (i === undefined || i >= d.n) {
    root.append(el('p', { class: 'muted' }, 'Click a span, or move to one with the arrow keys and press Enter.'));
    return;
  }
  const s = d.span(i);
  const dl = el('dl', { class: 'facts' });
  const row = (k: string, v: string | undefined | false) => v && dl.append(el('dt', {}, k), el('dd', {}, v));
  row('Lane', s.lane.name);
  if (s.kind === 'task' || s.kind === 'init') row('Process', pidOf(d, s.lane.id, d.workerAt(s.lane.id, s.start)));
  row('Kind', `${s.kind}${s.cbKind ? ` (${s.cbKind} callback)` : ''}`);
  row('Status', statusText(d, i));
  row('Start', fmtTime(s.start));
  row('Duration', formatDurationPrecise(s.end - s.start));
  row('CPU time', s.cpu !== undefined && `${formatDurationPrecise(s.cpu)} on its thread${s.cpuWait ? `, ${formatDurationPrecise(s.cpuWait)} more waiting for a CPU` : ''}`);
  row('Queued for', s.queued !== undefined && formatDurationPrecise(s.start - s.queued));
  row('API', s.api);
  row('Job', s.job >= 0 && String(s.job));
  row(s.kind === 'task' ? 'Task id' : 'Error of task', s.taskId >= 0 && String(s.taskId));
  dl.append(...siteRow(s.kind === 'callback' ? 'Defined at' : s.kind === 'task' ? 'Submitted at' : 'At', s.site, act));
  dl.append(...siteRow('Registered at', s.site2, act));
  root.append(el('h3', { class: 'span-name' }, s.name), dl);
  if (s.args) root.append(el('h4', {}, 'Arguments'), el('pre', { class: 'preview' }, shorten(s.args, 2000)));
  const heading = s.status === 'ok' ? 'Result' : s.status === 'lost' ? 'How its worker died' : 'Error';
  if (s.text) root.append(el('h4', {}, heading), el('pre', { class: `preview${s.status === 'ok' ? '' : ' error'}` }, shorten(s.text, 4000)));
  const fs = d.findingsOf(i);
  if (fs.length)
    root.append(el('h4', {}, 'Findings'), el('ul', { class: 'span-findings' }, ...fs.map((f) => el('li', { class: `sev-${d.findings[f].severity}` }, d.findings[f].message))));
  if (chain && chain.points.length) {
    const ol = el('ol', { class: 'chain', 'aria-label': 'Causal chain' });
    chain.points.forEach((pt, k) => {
      const step = k > 0 ? chain.steps[k - 1] : undefined;
      ol.append(
        el(
          'li',
          { 'data-point': pt.what },
          el('span', { class: 'chain-what' }, pt.label),
          ' ',
          el('span', { class: 'chain-at' }, `at ${fmtTime(pt.t)}`),
          step && el('span', { class: 'chain-delay' }, ` · ${step.label} ${formatDurationPrecise(step.delay)}`),
        ),
      );
    });
    root.append(el('h4', {}, `Causal chain of job ${chain.job}`), ol);
  }
  const lines = d.logsByLane[d.rowOf(i)]?.filter((l) => l.ts >= s.start && l.ts <= s.end).slice(0, 50) ?? [];
  if (lines.length) root.append(el('h4', {}, 'Printed meanwhile'), el('pre', { class: 'preview printed' }, lines.map((l) => l.text).join('\n')));
}

export function renderFindings(root: HTMLElement, d: TraceData, act: PanelActions): void {
  clear(root);
  root.append(el('h2', {}, `Findings (${d.findings.length})`));
  if (!d.findings.length) {
    root.append(el('p', { class: 'muted' }, 'No findings.'));
    return;
  }
  const ul = el('ul', { class: 'findings-list' });
  d.findings.forEach((f: WireFinding, k) => {
    const item = el(
      'li',
      { class: `finding sev-${f.severity}` },
      el(
        'button',
        { type: 'button', class: 'finding-select', 'data-rule': f.rule, title: 'Select and reveal its spans' },
        el('span', { class: 'sev-icon', 'aria-label': f.severity }, f.severity === 'error' ? '✕' : f.severity === 'warning' ? '⚠' : 'ℹ'),
        ' ',
        el('span', { class: 'rule' }, f.rule),
        ' ',
        el('span', { class: 'message' }, f.message),
      ),
      f.site && act.openSource && goTo(f.site, act),
    );
    item.querySelector('.finding-select')!.addEventListener('click', () => act.selectFinding(k));
    ul.append(item);
  });
  root.append(ul);
}

/** The accessible alternative to the canvas: lanes, findings and the spans in view as tables. */
export function renderTables(root: HTMLElement, d: TraceData, t0: number, t1: number, selected: number | undefined, act: PanelActions): void {
  clear(root);
  const table = (caption: string, head: string[], rows: HTMLElement[]) =>
    el('table', {}, el('caption', {}, caption), el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, ...rows));
  root.append(
    table(
      'Lanes',
      ['Lane', 'Kind', 'Spans', ...(d.notKept ? ['Not kept'] : []), 'Busy'],
      d.rows.map((l, r) =>
        el(
          'tr',
          {},
          el('th', { scope: 'row' }, l.name),
          el('td', {}, l.kind),
          el('td', {}, String(d.laneSpans(r))),
          d.notKept && el('td', {}, String(d.notKeptSpans[r])),
          el('td', {}, `${Math.round(d.busyShare[r] * 100)}%`),
        ),
      ),
    ),
  );
  const spells = d.rows.flatMap((l) => (l.kind === 'worker' ? (d.workers.get(l.id) ?? []) : []));
  if (spells.some((s) => s.replaces || s.end?.kind === 'worker-died')) {
    root.append(
      table(
        'Workers that ended and their replacements',
        ['Lane', 'Process', 'Started', 'Ended', 'How'],
        spells.map((s) =>
          el(
            'tr',
            {},
            el('th', { scope: 'row' }, d.lanes.find((l) => l.id === s.lane)?.name ?? ''),
            el('td', {}, pidOf(d, s.lane, s)),
            el('td', {}, s.from === undefined ? '' : `${fmtTime(s.from)}${s.replaces ? ' (replacement)' : ''}`),
            el('td', {}, s.end ? fmtTime(s.end.ts) : ''),
            el('td', {}, [spellEnd(s), beyond(s.end?.text, spellEnd(s)) ? `: ${shorten(s.end!.text!.split('\n', 1)[0], PREVIEW)}` : ''].join('')),
          ),
        ),
      ),
    );
  }
  root.append(
    table(
      'Findings',
      ['Severity', 'Rule', 'Message', ''],
      d.findings.map((f, k) => {
        const b = el('button', { type: 'button', 'data-key': `finding:${k}` }, 'Show');
        b.addEventListener('click', () => act.selectFinding(k));
        return el('tr', {}, el('td', {}, f.severity), el('td', {}, f.rule), el('td', {}, f.message), el('td', {}, b));
      }),
    ),
  );
  const inView: number[] = [];
  let total = 0;
  d.rows.forEach((_, r) => {
    const list = d.byLane[r];
    for (let k = d.lowerBound(r, t0 - d.maxDur[r]); k < list.length && d.cols.start[list[k]] <= t1; k++) {
      if (d.cols.end[list[k]] < t0) continue;
      total++;
      if (inView.length < TABLE_ROWS) inView.push(list[k]);
    }
  });
  inView.sort((a, b) => d.cols.start[a] - d.cols.start[b]);
  const rows = inView.map((i) => {
    const s = d.span(i);
    const b = el('button', { type: 'button', 'aria-pressed': String(i === selected), 'data-key': `span:${i}` }, s.name || '(unnamed)');
    b.addEventListener('click', () => act.select(i, true));
    return el(
      'tr',
      { class: i === selected ? 'selected' : undefined },
      el('td', {}, b),
      el('td', {}, s.lane.name),
      el('td', {}, s.kind),
      el('td', {}, statusText(d, i)),
      el('td', {}, fmtTime(s.start)),
      el('td', {}, formatDurationPrecise(s.end - s.start)),
      el('td', {}, s.queued !== undefined ? formatDurationPrecise(s.start - s.queued) : ''),
    );
  });
  root.append(
    table(
      `Spans in view: ${total === inView.length ? total : `first ${inView.length} of ${total} (zoom in to list others)`}`,
      ['Name', 'Lane', 'Kind', 'Status', 'Start', 'Duration', 'Queued'],
      rows,
    ),
  );
}
