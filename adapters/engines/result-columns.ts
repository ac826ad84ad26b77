/** A result's column names: two columns of one name would leave a row with only one of them. */

/** Two columns of one name in a probe's result. */
export class DuplicateColumnError extends Error {
  override readonly name = 'DuplicateColumnError';
}

/** Throws {@link DuplicateColumnError} when `names` repeat one. */
export function assertDistinctColumns(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new DuplicateColumnError(
        `the result has two columns named '${name}'; give each column its own name (AS …)`,
      );
    }
    seen.add(name);
  }
}
