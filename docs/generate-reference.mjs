// `npm run docs [-- OUT]`: writes docs/reference.md (or OUT) from schema.json. Node 20 cannot run
// TypeScript, so the renderer is bundled into a temporary folder first, as `npm run bench` does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'docs', 'reference.md'));
const dir = mkdtempSync(join(tmpdir(), 'chasm-docs-'));
try {
  const outfile = join(dir, 'reference-markdown.mjs');
  await build({
    entryPoints: [join(root, 'docs', 'reference-markdown.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
  });
  const { renderReference } = await import(pathToFileURL(outfile).href);
  const schema = JSON.parse(readFileSync(join(root, 'schema.json'), 'utf8'));
  writeFileSync(out, renderReference(schema));
  console.log(`wrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
