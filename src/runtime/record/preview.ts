// Short, single-line previews of arguments, results and errors for the trace.
import { inspect } from 'node:util';

const MAX = 160;

export function preview(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'string':
      return clip(JSON.stringify(value));
  }
  if (value instanceof Error) return clip(`${value.name}: ${value.message}`);
  return clip(inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 8, maxStringLength: 60 }));
}

export function previewArgs(args: readonly unknown[]): string {
  if (args.length === 0) return '';
  return clip(args.map(preview).join(', '));
}

function clip(s: string): string {
  return s.length > MAX ? s.slice(0, MAX - 1) + '…' : s;
}
