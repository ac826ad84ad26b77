/**
 * One probe in one round trip. `pg` sends a query and waits for its answer before the next, so a
 * probe in its own transaction would cost three round trips (BEGIN, the probe, ROLLBACK). This
 * query object writes all four statements at once in the extended protocol, ended by one Sync:
 *
 *   BEGIN READ ONLY · SET LOCAL statement_timeout = N · the probe · ROLLBACK · Sync
 *
 * Each statement goes through its own Parse, which accepts exactly one statement, so a probe can
 * neither run a second one nor end the read-only transaction and go on writing. The probe's
 * portal is executed for at most `rowLimit` rows: the server stops there, and ROLLBACK closes it.
 * When any statement fails, the server skips the rest up to the Sync and the connection is left in
 * an aborted transaction: the caller rolls it back before anything else uses the connection.
 */
import pg from 'pg';
import type { Row } from '../../core/ports.js';

/** what `pg` passes to a submittable query: its connection's message writers (as pg 8 has them) */
interface ProtocolWriter {
  readonly stream: { cork?(): void; uncork?(): void };
  parse(message: { text: string }): void;
  bind(message: { values: readonly unknown[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string; rows: number }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

interface RowDescription {
  readonly fields: readonly { readonly name: string; readonly dataTypeID: number; readonly format: string }[];
}

type TextParser = (value: string) => unknown;

export class ReadOnlyProbe implements pg.Submittable {
  /** settles once the server is ready for the next query: the rows, or the first error */
  readonly result: Promise<readonly Row[]>;
  private readonly rows: Row[] = [];
  private names: readonly string[] = [];
  private parsers: readonly TextParser[] = [];
  /** a value its type's parser refused; reported once the server is ready again */
  private parseFailure: unknown;
  private settle!: { resolve(rows: readonly Row[]): void; reject(error: unknown): void };

  constructor(
    private readonly sql: string,
    private readonly statementTimeoutMs: number,
    private readonly rowLimit: number,
  ) {
    this.result = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  submit(pgConnection: pg.Connection): void {
    const connection = pgConnection as unknown as ProtocolWriter;
    // one write, one packet
    connection.stream.cork?.();
    try {
      send(connection, 'BEGIN READ ONLY');
      send(connection, `SET LOCAL statement_timeout = ${Math.max(1, Math.ceil(this.statementTimeoutMs))}`);
      connection.parse({ text: this.sql });
      connection.bind({ values: [] });
      connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '', rows: this.rowLimit });
      send(connection, 'ROLLBACK');
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
  }

  handleRowDescription(message: RowDescription): void {
    this.names = message.fields.map((field) => field.name);
    this.parsers = message.fields.map((field) =>
      pg.types.getTypeParser(field.dataTypeID, field.format === 'binary' ? 'binary' : 'text'),
    );
  }

  handleDataRow(message: { fields: readonly (string | null)[] }): void {
    if (this.parseFailure !== undefined) return;
    const row: Record<string, unknown> = {};
    const { names, parsers } = this;
    try {
      for (let i = 0; i < names.length; i++) {
        const raw = message.fields[i];
        row[names[i] as string] = raw === null || raw === undefined ? null : (parsers[i] as TextParser)(raw);
      }
    } catch (error) {
      // thrown here it would reach the socket's event handler; the rest of the answer still arrives
      this.parseFailure = error;
      return;
    }
    this.rows.push(row);
  }

  handleReadyForQuery(): void {
    if (this.parseFailure === undefined) this.settle.resolve(this.rows);
    else this.settle.reject(this.parseFailure);
  }

  handleError(error: unknown): void {
    this.settle.reject(error);
  }

  // a COPY cannot start here: it would wait for data that never comes
  handleCopyInResponse(connection: ProtocolWriter): void {
    connection.sendCopyFail('a probe cannot copy data in');
  }

  // the statements' completions need nothing: the probe's rows arrive as data rows, and a
  // suspended portal (more rows than the limit) is closed by the ROLLBACK already sent
  handleCommandComplete(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
}

function send(connection: ProtocolWriter, statement: string): void {
  connection.parse({ text: statement });
  connection.bind({ values: [] });
  connection.execute({ portal: '', rows: 0 });
}
