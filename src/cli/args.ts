// Command-line parsing for `poolscope`. Usage errors say what was wrong; exit code 2.
import { parseArgs } from 'node:util';
import { isJournalPath } from '../runtime/journal/format';

export const USAGE = `usage:
  poolscope run <file> [--workers N] [--timeout ms] [--threshold ms] [--trace out.json] [--html out.html] [--json] [--no-trace] [--keep N]
  poolscope run <program.py> [args...] [options] [-- args...] [--python path]
  poolscope view <trace.json | run.psrec> [--trace out.json] [--html out.html] [--json] [--threshold ms]
  poolscope view <run.psrec> --from ms --to ms [--keep N] [...]

run    runs <file>'s exported main with its pools on worker threads, or a Python program under
       poolscope's tracer (with its arguments; those that start with - go after --), prints the
       program's output in time order, a summary per lane and the findings (file:line:col: severity: message [rule])
view   reads a trace saved with --trace (Chrome Trace Event Format, or a run journal) and reports on it

--trace out.json writes the Chrome Trace Event Format; out.perfetto-trace (or .pftrace) writes
       Perfetto's own protobuf format, several times smaller, for Perfetto and its trace processor;
       out.psrec keeps the run journal itself. While the run goes on, every record is kept in a
       journal beside the trace (out.json.psrec), removed once the trace is written: if the CLI
       is killed, view reads the run from it
--keep N keeps at most N spans in memory (default 1,200,000, a 1M-task run whole); the tasks past
       them are counted in the summary but not drawn, and the journal keeps them all
--from, --to: view the tasks of a journal that ran between these times (ms from the run's start)

exit codes: 0 main returned, 1 main threw, a deadlock was found or the timeout hit, 2 bad input or usage,
       or a file asked for (--trace, --html) that could not be written`;

export class UsageError extends Error {}

export interface CliOptions {
  command: 'run' | 'view';
  file: string;
  workers?: number;
  timeoutMs?: number;
  thresholdMs: number;
  traceOut?: string;
  htmlOut?: string;
  json: boolean;
  trace: boolean;
  /** a Python program's arguments */
  args: string[];
  /** the Python interpreter (default python3) */
  python?: string;
  /** the most spans kept in memory */
  maxSpans?: number;
  /** view of a journal: the window of the run to keep, ms from its start */
  window?: { fromMs: number; toMs: number };
}

export function isPythonFile(file: string): boolean {
  return /\.pyw?$/i.test(file);
}

function positiveInt(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} takes a whole number of at least ${min}, not '${v}'`);
  return n;
}

function windowOf(from: string | undefined, to: string | undefined): CliOptions['window'] {
  if (from === undefined && to === undefined) return undefined;
  const ms = (name: string, v: string | undefined, missing: number) => {
    const n = v === undefined ? missing : Number(v);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} takes a time in ms from the run's start, not '${v}'`);
    return n;
  };
  const window = { fromMs: ms('from', from, 0), toMs: ms('to', to, Number.MAX_SAFE_INTEGER) };
  if (window.toMs < window.fromMs) throw new UsageError(`--to ${to} comes before --from ${from}`);
  return window;
}

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        workers: { type: 'string' },
        timeout: { type: 'string' },
        threshold: { type: 'string' },
        trace: { type: 'string' },
        'no-trace': { type: 'boolean', default: false },
        html: { type: 'string' },
        json: { type: 'boolean', default: false },
        python: { type: 'string' },
        keep: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  const [command, file, ...extra] = positionals;
  if (command !== 'run' && command !== 'view') throw new UsageError(command ? `unknown command '${command}'` : 'no command given');
  if (!file) throw new UsageError(`${command} needs a file`);
  if (extra.length && !(command === 'run' && isPythonFile(file))) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (values.python !== undefined && !isPythonFile(file)) throw new UsageError('--python applies to Python programs (.py) only');
  if (command === 'view' && values.trace !== undefined && isJournalPath(values.trace))
    throw new UsageError(`view writes no journal (${values.trace}): a journal is a run's own record`);
  const window = windowOf(values.from, values.to);
  if (window && command !== 'view') throw new UsageError('--from and --to apply to view of a run journal (.psrec)');
  return {
    window,
    maxSpans: positiveInt('keep', values.keep, 1),
    command,
    file,
    workers: positiveInt('workers', values.workers, 1),
    timeoutMs: positiveInt('timeout', values.timeout, 1),
    thresholdMs: positiveInt('threshold', values.threshold, 0) ?? 100,
    traceOut: values.trace,
    htmlOut: values.html,
    json: values.json,
    trace: !values['no-trace'],
    args: extra,
    python: values.python,
  };
}
