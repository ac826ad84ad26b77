/** One mistake in a `probes.yaml` file, positioned in the source. */
export interface ConfigIssue {
  /** the file as the user named it (not resolved), so messages read like the command line */
  readonly file: string;
  /** 1-based */
  readonly line: number;
  /** 1-based */
  readonly column: number;
  readonly message: string;
  /** where in the document, as a JSON pointer (`/probes/active/sql`); empty for the whole file */
  readonly path: string;
  /** `FILE:LINE:COL: message` */
  format(): string;
}

export function createIssue(fields: Omit<ConfigIssue, 'format'>): ConfigIssue {
  return Object.freeze({
    ...fields,
    format: () => `${fields.file}:${fields.line}:${fields.column}: ${fields.message}`,
  });
}

/** Source order: line, then column, then message (so the output is stable). */
export function compareIssues(a: ConfigIssue, b: ConfigIssue): number {
  return (
    a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
