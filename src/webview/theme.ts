// Colours for the canvas, read from CSS custom properties that map to the editor theme's
// --vscode-* variables (with fallbacks for the standalone page), re-read when the theme changes.
import { Cls, CLASS_COUNT } from './traceData';

export interface Palette {
  bg: string; fg: string; muted: string; grid: string; laneAlt: string; border: string;
  queue: string; log: string; logErr: string; mark: string; markBad: string;
  select: string; cursor: string; finding: string; findingWarn: string; arrow: string;
  counterQueued: string; counterBusy: string; nested: string; font: string; highContrast: boolean;
  /** fill colour per colour class (Cls) */
  cls: string[];
  /** text colour that reads on each class's fill: dark on light fills, light on dark ones */
  clsText: string[];
}

/** Relative luminance (WCAG) of a CSS colour, via a canvas, which normalises any colour syntax. */
function luminance(ctx: CanvasRenderingContext2D, colour: string): number {
  ctx.fillStyle = '#000';
  ctx.fillStyle = colour;
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b] = Array.from(ctx.getImageData(0, 0, 1, 1).data.subarray(0, 3), (v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const CLASS_VARS: Record<Cls, string> = {
  [Cls.WaitOk]: 'wait', [Cls.TaskOk]: 'task', [Cls.CallbackOk]: 'callback', [Cls.InitOk]: 'init',
  [Cls.Running]: 'running', [Cls.Cancelled]: 'cancelled', [Cls.CallbackSlow]: 'callback-slow',
  [Cls.WaitBad]: 'wait-bad', [Cls.InitError]: 'init-error', [Cls.TaskError]: 'task-error', [Cls.CallbackThrew]: 'callback-threw',
};

export function readPalette(el: HTMLElement = document.body): Palette {
  const cs = getComputedStyle(el);
  const v = (name: string) => cs.getPropertyValue(`--ps-${name}`).trim() || '#888';
  const cls: string[] = [];
  for (let c = 0; c < CLASS_COUNT; c++) cls.push(v(CLASS_VARS[c as Cls]));
  const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
  // White text needs a fill darker than about 0.18 luminance to keep a 4.5:1 contrast; else dark text.
  const clsText = cls.map((c) => (luminance(probe, c) > 0.18 ? '#1b1b1b' : '#ffffff'));
  return {
    bg: v('bg'), fg: v('fg'), muted: v('muted'), grid: v('grid'), laneAlt: v('lane-alt'), border: cs.getPropertyValue('--ps-border').trim(),
    queue: v('queue'), log: v('log'), logErr: v('log-err'), mark: v('mark'), markBad: v('mark-bad'),
    select: v('select'), cursor: v('cursor'), finding: v('finding'), findingWarn: v('finding-warn'), arrow: v('arrow'),
    counterQueued: v('counter-queued'), counterBusy: v('counter-busy'), nested: v('nested'),
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
