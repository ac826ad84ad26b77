// Preloaded into a `chasm` process by tests: on exit, writes the process's peak resident set size
// (kilobytes) to standard error as the last line, `max-rss-kb=N`.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nmax-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
