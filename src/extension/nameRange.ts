// Where a finding's squiggle goes: the recorded site is where a function starts (or where main
// waits), which may be the `function` or `def` keyword, the parameter list of an arrow function
// or a call. The name a person would look for is found from there on the same line.

const IDENT = /[A-Za-z_$][\w$]*/y;
const LEADING_KEYWORDS = /(?:(?:export|default|async|function|static|get|set|const|let|var|def|class)\s+|\*\s*)*/y;
const NOT_A_NAME = new Set(['function', 'async', 'await', 'new', 'return', 'def', 'lambda']);
/** `handler = (`, `handler: async (` just before an anonymous function */
const BOUND_NAME_BEFORE = /([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s*)?$/;
/** `function handler` or `handler` just before its parameter list */
const NAME_BEFORE_PARAMS = /([A-Za-z_$][\w$]*)\s*$/;

/** [start, end) columns (0-based) of the name at or around `col0` in `line`. */
export function nameRange(line: string, col0: number): [number, number] {
  const at = Math.min(Math.max(col0, 0), line.length);
  LEADING_KEYWORDS.lastIndex = at;
  LEADING_KEYWORDS.exec(line);
  IDENT.lastIndex = LEADING_KEYWORDS.lastIndex;
  const ahead = IDENT.exec(line);
  if (ahead && !NOT_A_NAME.has(ahead[0])) return [ahead.index, ahead.index + ahead[0].length];
  const before = line.slice(0, at);
  const m = BOUND_NAME_BEFORE.exec(before) ?? (line[at] === '(' ? NAME_BEFORE_PARAMS.exec(before) : null);
  if (m && !NOT_A_NAME.has(m[1])) {
    return [m.index, m.index + m[1].length];
  }
  // Nothing named here: mark the rest of the statement, never an empty range.
  const end = line.trimEnd().length;
  return end > at ? [at, end] : [line.length - line.trimStart().length, Math.max(end, at + 1)];
}
