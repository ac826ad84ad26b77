// Builds the CLI and the library entry point into dist/. Dependencies stay external:
// they are installed beside the package. Lambda handlers are bundled separately at synth time.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'adapters/cli/main.ts', index: 'index.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
