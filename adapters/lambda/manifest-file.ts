/**
 * Reading a deployed function's manifest: `manifest.json` beside the handler in its asset
 * (`LAMBDA_TASK_ROOT`), or the file `CHASM_MANIFEST_PATH` names.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The manifest's path for this environment. */
export function manifestPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.CHASM_MANIFEST_PATH ?? join(env.LAMBDA_TASK_ROOT ?? process.cwd(), 'manifest.json');
}

/** Reads and parses the manifest; throws with the path when it is missing or not JSON. */
export function readManifest<T>(env: Readonly<Record<string, string | undefined>> = process.env): T {
  const path = manifestPath(env);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new Error(`cannot read the function's manifest ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
