/**
 * An issue before it has a source position: where in the document it is (path segments from the
 * root) and whether it points at that entry's key or at its value.
 */
export interface PendingIssue {
  readonly path: readonly string[];
  /** `key`: the entry's key (unknown or misnamed keys); `value`: the value itself, or the map a key is missing from */
  readonly at: 'key' | 'value';
  readonly message: string;
}

/** `/probes/active/sql` from `['probes', 'active', 'sql']` (JSON pointer escaping). */
export function pointerOf(path: readonly string[]): string {
  return path.map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** The segments of a JSON pointer such as ajv's `instancePath`. */
export function segmentsOf(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}
