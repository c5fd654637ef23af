// Preloaded into a measured process (node --import): at exit, writes its peak resident set size
// (KiB, all of its threads) to the file named by POOLSCOPE_MAXRSS_FILE.
import { writeFileSync } from 'node:fs';

process.on('exit', () => writeFileSync(process.env.POOLSCOPE_MAXRSS_FILE, String(process.resourceUsage().maxRSS)));
