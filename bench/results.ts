// What every bench shares for bench/RESULTS.md: medians, the machine's description, and writing
// one bench's section of the file without touching the others'.
import * as fs from 'node:fs';
import * as os from 'node:os';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The CPU model, core count and kernel, for the line that says where figures were taken. */
export function machine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  return `${cpu}, ${os.availableParallelism()} cores, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** Replaces the section headed by `section`'s first line (up to the next `## ` heading), keeping the others. */
export function writeSection(file: string, section: string): void {
  const heading = section.split('\n', 1)[0];
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = old.indexOf(`${heading}\n`);
  let text: string;
  if (start < 0) {
    text = `${old.trimEnd()}\n\n${section}`;
  } else {
    const next = old.indexOf('\n## ', start + heading.length);
    text = old.slice(0, start) + section + (next < 0 ? '' : `\n${old.slice(next + 1)}`);
  }
  fs.writeFileSync(file, text);
}
