/**
 * A function's deployment folder: the shared bundle of its kind plus its own `manifest.json`.
 * The manifest ships inside the asset because Lambda's environment is limited to 4 KB.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HandlerBundle, stagingDir } from './handler-bundler.js';

/** the file the handlers read from `LAMBDA_TASK_ROOT` */
export const MANIFEST_FILE = 'manifest.json';

/** Copies the bundle into a fresh folder, writes the manifest beside it, returns the folder. */
export function functionAssetDir(bundle: HandlerBundle, id: string, manifest: unknown): string {
  const dir = stagingDir(id.replace(/[^A-Za-z0-9_-]/g, '_'));
  cpSync(bundle.dir, dir, { recursive: true });
  // stable bytes for a stable asset hash: no timestamps, no absolute paths
  writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest)}\n`);
  return dir;
}
