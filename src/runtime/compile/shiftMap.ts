// Keeps a source map right after text was inserted into the code it maps. Insertions never
// add lines, so each mapped position only moves right on its own line, by the length of what
// was inserted at or before it.
import { decode, encode } from '@jridgewell/sourcemap-codec';

export interface Insertion {
  /** 0-based line and column of the insertion point, in the code before any insertion */
  line: number;
  col: number;
  length: number;
}

/** `mappings` of a source map, shifted for the insertions (in any order). */
export function shiftMappings(mappings: string, insertions: readonly Insertion[]): string {
  const byLine = new Map<number, Insertion[]>();
  for (const ins of insertions) {
    const list = byLine.get(ins.line);
    if (list) list.push(ins);
    else byLine.set(ins.line, [ins]);
  }
  const lines = decode(mappings);
  for (const [line, list] of byLine) {
    const segments = lines[line];
    if (!segments) continue;
    list.sort((a, b) => a.col - b.col);
    // Segments come decoded in column order: one pass, adding insertions as they are passed.
    let next = 0;
    let shift = 0;
    for (const seg of segments) {
      while (next < list.length && list[next].col <= seg[0]) shift += list[next++].length;
      seg[0] += shift;
    }
  }
  return encode(lines);
}
