/**
 * Where a path of a `probes.yaml` file is written, for messages about a config that is already
 * valid (`chasm doctor`'s findings): the same positions `chasm validate` reports.
 */
import { readFileSync } from 'node:fs';
import { parseYamlSource, type SourcePosition } from './yaml-source.js';

export type { SourcePosition } from './yaml-source.js';

export interface ConfigPositions {
  /**
   * The line and column of the entry at `path` (`['databases', 'sessions', 'host']`): its key or
   * its value (the default); a path the file leaves out (a defaulted key) points at the nearest
   * enclosing entry that is written.
   */
  locate(path: readonly string[], at?: 'key' | 'value'): SourcePosition;
}

/** The positions of paths in `text`. */
export function configPositions(text: string): ConfigPositions {
  const source = parseYamlSource(text);
  return { locate: (path, at = 'value') => source.locate({ path, at }) };
}

/** The positions of paths in `file`; throws when the file cannot be read. */
export function readConfigPositions(file: string): ConfigPositions {
  return configPositions(readFileSync(file, 'utf8'));
}
