// Colours for the canvas, read from CSS custom properties that map to the editor theme's
// --vscode-* variables (with fallbacks for the standalone page), re-read when the theme changes.
import { Cls, CLASS_COUNT } from './traceData';

export interface Palette {
  bg: string;
  fg: string;
  muted: string;
  grid: string;
  laneAlt: string;
  border: string;
  queue: string;
  log: string;
  logErr: string;
  mark: string;
  markBad: string;
  select: string;
  cursor: string;
  finding: string;
  findingWarn: string;
  arrow: string;
  counterQueued: string;
  counterBusy: string;
  nested: string;
  font: string;
  highContrast: boolean;
  /** fill colour per colour class (Cls) */
  cls: string[];
  /** text colour that reads on each class's fill: dark on light fills, light on dark ones */
  clsText: string[];
}

/**
 * Theme colours may be translucent (a chart colour at 33% alpha, a border at 20%). On the
 * canvas a translucent fill would look washed out and its text contrast would be guessed
 * wrong, so every colour is resolved to an opaque one through a 1-pixel canvas: `solid` keeps
 * the hue at full strength, `over` lays the colour on the background as the theme meant it.
 */
class ColourResolver {
  private readonly ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;

  private rgba(colour: string, under?: string): [number, number, number, number] {
    const ctx = this.ctx;
    ctx.clearRect(0, 0, 1, 1);
    if (under) {
      ctx.fillStyle = under;
      ctx.fillRect(0, 0, 1, 1);
    }
    ctx.fillStyle = '#888';
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3]];
  }

  solid(colour: string): string {
    const [r, g, b] = this.rgba(colour);
    return `rgb(${r}, ${g}, ${b})`;
  }

  over(colour: string, bg: string): string {
    const [r, g, b] = this.rgba(colour, this.solid(bg));
    return `rgb(${r}, ${g}, ${b})`;
  }

  /** Relative luminance (WCAG) of an opaque colour. */
  luminance(colour: string): number {
    const [r, g, b] = this.rgba(colour)
      .slice(0, 3)
      .map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
}

const CLASS_VARS: Record<Cls, string> = {
  [Cls.WaitOk]: 'wait',
  [Cls.MainRun]: 'run',
  [Cls.TaskOk]: 'task',
  [Cls.CallbackOk]: 'callback',
  [Cls.InitOk]: 'init',
  [Cls.Running]: 'running',
  [Cls.Cancelled]: 'cancelled',
  [Cls.CallbackSlow]: 'callback-slow',
  [Cls.WaitBad]: 'wait-bad',
  [Cls.InitError]: 'init-error',
  [Cls.TaskError]: 'task-error',
  [Cls.TaskLost]: 'task-lost',
  [Cls.CallbackThrew]: 'callback-threw',
};

export function readPalette(el: HTMLElement = document.body): Palette {
  const cs = getComputedStyle(el);
  const v = (name: string) => cs.getPropertyValue(`--ps-${name}`).trim() || '#888';
  const colours = new ColourResolver();
  const bg = colours.solid(v('bg'));
  const solid = (name: string) => colours.solid(v(name));
  const over = (name: string) => colours.over(v(name), bg);
  const cls: string[] = [];
  // Waits are meant to be quiet: they keep the theme's translucency; everything else keeps its hue.
  for (let c = 0; c < CLASS_COUNT; c++) cls.push(c === Cls.WaitOk ? over(CLASS_VARS[c]) : solid(CLASS_VARS[c as Cls]));
  // White text needs a fill darker than about 0.18 luminance to keep a 4.5:1 contrast; else dark text.
  const clsText = cls.map((c) => (colours.luminance(c) > 0.18 ? '#1b1b1b' : '#ffffff'));
  const border = cs.getPropertyValue('--ps-border').trim();
  return {
    bg,
    fg: solid('fg'),
    muted: solid('muted'),
    grid: v('grid'),
    laneAlt: over('lane-alt'),
    border: border && colours.solid(border),
    queue: solid('queue'),
    log: solid('log'),
    logErr: solid('log-err'),
    mark: solid('mark'),
    markBad: solid('mark-bad'),
    select: solid('select'),
    cursor: solid('cursor'),
    finding: solid('finding'),
    findingWarn: solid('finding-warn'),
    arrow: solid('arrow'),
    counterQueued: solid('counter-queued'),
    counterBusy: solid('counter-busy'),
    nested: solid('nested'),
    font: `${cs.getPropertyValue('--ps-font-size').trim() || '12px'} ${cs.getPropertyValue('--ps-font').trim() || 'sans-serif'}`,
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
    cls,
    clsText,
  };
}

/** Calls back whenever the editor switches theme (it swaps body classes) or the OS scheme flips. */
export function onThemeChange(cb: () => void): void {
  new MutationObserver(cb).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', cb);
}
