/**
 * One probe in one round trip. `pg` sends a query and waits for its answer before the next, so a
 * probe in its own transaction would cost three round trips (BEGIN, the probe, ROLLBACK). This
 * query object writes them all at once in the extended protocol, ended by one Sync:
 *
 *   BEGIN READ ONLY · [SET LOCAL statement_timeout = N] · the probe · ROLLBACK · Sync
 *
 * The probe goes through its own Parse, which accepts exactly one statement, so a probe can
 * neither run a second one nor end the read-only transaction and go on writing. The others are
 * prepared once per connection (the first probe that needs one parses it) and then only bound and
 * executed. A session starts with a statement timeout (a startup parameter); SET LOCAL is sent
 * only for a probe whose timeout differs, rounded up to two significant digits so a connection
 * prepares few of them. A probe cannot change the session's timeout, or anything else of it, for
 * the next probe: the ROLLBACK undoes whatever it set.
 *
 * The probe's portal runs for at most `rowLimit` rows: the server stops there, and the ROLLBACK
 * closes it. When any statement fails, the server skips the rest up to the Sync and the connection
 * is left in an aborted transaction: the caller then sends {@link RESET_AFTER_FAILURE} before
 * anything else uses the connection.
 */
import pg from 'pg';
import type { Row } from '../../core/ports.js';

/** What a connection's session holds for probes; one per connection, kept by the engine. */
export interface ProbeSession {
  /** whether this session has BEGIN READ ONLY and ROLLBACK prepared */
  prepared: boolean;
  /** the statement timeouts (ms) this session has a prepared SET LOCAL for */
  readonly timeouts: Set<number>;
  /** the statement timeout the session itself has (ms; 0: none): a probe with it needs no SET LOCAL */
  readonly statementTimeoutMs: number;
}

/**
 * Ends a failed probe's transaction and drops the prepared control statements (a failed first
 * probe may have left them half made); the next probe prepares them again.
 */
export const RESET_AFTER_FAILURE = 'ROLLBACK; DEALLOCATE ALL';

const BEGIN = { name: 'chasm_begin_read_only', text: 'BEGIN READ ONLY' } as const;
const ROLLBACK = { name: 'chasm_rollback', text: 'ROLLBACK' } as const;

function timeoutStatement(ms: number): { readonly name: string; readonly text: string } {
  return { name: `chasm_statement_timeout_${ms}`, text: `SET LOCAL statement_timeout = ${ms}` };
}

/** `ms` rounded up to two significant digits: 9,312 → 9,400; 10,000 stays. */
export function coarseTimeoutMs(ms: number): number {
  const whole = Math.max(1, Math.ceil(ms));
  const step = 10 ** Math.max(0, Math.floor(Math.log10(whole)) - 1);
  return Math.ceil(whole / step) * step;
}

/** what `pg` passes to a submittable query: its connection's message writers (as pg 8 has them) */
interface ProtocolWriter {
  readonly stream: { cork?(): void; uncork?(): void };
  parse(message: { text: string; name?: string }): void;
  bind(message: { statement?: string; values: readonly unknown[] }): void;
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

  /** the statement timeout, rounded up */
  private readonly timeoutMs: number;
  /** whether it differs from the session's own, so this probe sends SET LOCAL */
  private readonly setsTimeout: boolean;

  constructor(
    private readonly sql: string,
    statementTimeoutMs: number,
    private readonly rowLimit: number,
    private readonly session: ProbeSession,
  ) {
    this.timeoutMs = coarseTimeoutMs(statementTimeoutMs);
    this.setsTimeout = this.timeoutMs !== session.statementTimeoutMs;
    this.result = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  submit(pgConnection: pg.Connection): void {
    const connection = pgConnection as unknown as ProtocolWriter;
    // one write, one packet
    connection.stream.cork?.();
    try {
      if (!this.session.prepared) for (const statement of [BEGIN, ROLLBACK]) connection.parse(statement);
      const timeout = timeoutStatement(this.timeoutMs);
      if (this.setsTimeout && !this.session.timeouts.has(this.timeoutMs)) connection.parse(timeout);
      execute(connection, BEGIN.name);
      if (this.setsTimeout) execute(connection, timeout.name);
      connection.parse({ text: this.sql });
      connection.bind({ values: [] });
      connection.describe({ type: 'P', name: '' });
      connection.execute({ portal: '', rows: this.rowLimit });
      execute(connection, ROLLBACK.name);
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
    // every statement ran: the control statements are prepared on this session from now on
    this.session.prepared = true;
    if (this.setsTimeout) this.session.timeouts.add(this.timeoutMs);
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

/** binds and executes a prepared control statement */
function execute(connection: ProtocolWriter, statement: string): void {
  connection.bind({ statement, values: [] });
  connection.execute({ portal: '', rows: 0 });
}
