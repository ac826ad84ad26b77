// `npm run bench`: Node 20 cannot run TypeScript, so bundle the runner (dependencies stay
// external) into .bench-out/ and run it there; arguments pass through as name filters.
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const outfile = '.bench-out/run-benchmarks.mjs';
await build({
  entryPoints: ['bench/run-benchmarks.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exitCode = run.status ?? 1;
