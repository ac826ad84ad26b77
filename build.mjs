// Builds the CLI and the library entry points into dist/. Lambda handlers are bundled separately,
// at synth time.
//
// Code splitting puts each command in chunks of its own, loaded by `import()` when the command
// runs: `chasm --help` loads no dependency, `validate` and `plan` only the YAML and schema readers,
// `run` only the engines its databases use, `synth` the CDK.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'esbuild';

// Installed beside the package and loaded from there: the CDK (shared with the user's app), the
// AWS SDK, the database drivers, PGlite (with its WebAssembly files) and esbuild (a binary).
// The small pure-JS libraries on the start path (yaml, ajv, kysely, aws4) are bundled instead:
// one file loads in a fraction of the time of their hundreds of modules.
const EXTERNAL = [
  'aws-cdk-lib',
  'constructs',
  '@aws-sdk/*',
  'pg',
  'pg-cursor',
  'mysql2',
  '@electric-sql/pglite',
  'esbuild',
];

// config/document-validator.ts compiles schema.json on first use; the built code carries the same
// validator generated ahead of time (ajv's standalone code), which a command only has to load
const DOCUMENT_VALIDATOR = resolve('config/document-validator.ts');
const precompiledSchema = {
  name: 'precompiled-schema',
  setup(context) {
    context.onLoad({ filter: /document-validator\.ts$/ }, (args) => {
      if (args.path !== DOCUMENT_VALIDATOR) return undefined;
      const options = JSON.parse(readFileSync('config/ajv-options.json', 'utf8'));
      const ajv = new Ajv2020({ ...options, code: { source: true, esm: true } });
      ajv.addSchema(JSON.parse(readFileSync('schema.json', 'utf8')), 'probes');
      const contents = `${standaloneCode(ajv, { precompiled: 'probes' })}
export default function validateDocument(value) {
  return precompiled(value) ? [] : [...(precompiled.errors ?? [])];
}
`;
      return { contents, loader: 'js', resolveDir: resolve('config') };
    });
  },
};

await build({
  entryPoints: { cli: 'adapters/cli/main.ts', index: 'index.ts', cdk: 'cdk.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  // bundled CommonJS libraries call require() on Node's built-ins
  banner: {
    js: "import { createRequire as __chasmRequire } from 'node:module'; const require = __chasmRequire(import.meta.url);",
  },
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [precompiledSchema],
});
