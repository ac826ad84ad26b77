/**
 * The RDS Data API as the installed SDK speaks it (REST JSON: `POST /BeginTransaction`, `/Execute`,
 * `/RollbackTransaction`, `/CommitTransaction`; errors as `x-amzn-errortype` and `{ message }`),
 * backed by the real PostgreSQL and MariaDB. Each cluster ARN names a server; each request's
 * secret names the user and password it logs in with, as the Data API reads the secret itself.
 *
 * Like the service, it keeps a pool of connections per login and hands one to each transaction
 * (and each statement outside one), so what a statement leaves in a session reaches the next user
 * of that connection; idle connections close after a moment. `BeginTransaction` turns autocommit
 * off the way a driver does (PostgreSQL `BEGIN`, MySQL `SET autocommit = 0`), so the transaction's
 * first statement may still set its characteristics. It enforces the Data API's limits with its
 * errors: one statement per request, 1 MiB per result and 64 KB per row (`BadRequestException`,
 * after which the transaction is gone), the request timeout (`StatementTimeoutException`, the
 * statement cancelled), one request at a time per transaction. Values come as the Data API returns
 * them: `Field`s typed by the column (`longReturnType` and `decimalReturnType` honoured), and
 * `columnMetadata` with JDBC type codes when `includeResultMetadata` is set.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { RDS_DATA_API } from '../../../core/limits.js';
import { bindParameters, type ParameterValue } from '../../../core/probe-parameters.js';
import { type LocalReply, type LocalRequest, type LocalServer, startLocalServer } from './local-server.js';

export interface LocalCluster {
  readonly engine: 'postgres' | 'mysql';
  /** the server, without credentials: `postgres://127.0.0.1:5432/test` */
  readonly url: string;
}

export interface LocalRdsDataOptions {
  /** the clusters it serves, by ARN */
  readonly clusters: Readonly<Record<string, LocalCluster>>;
  /** a secret's value (JSON with `username` and `password`) by ARN; undefined: no such secret */
  secret(arn: string): string | undefined;
  /** the Data API's limits, smaller for tests; default its real ones */
  readonly limits?: {
    readonly maxResponseBytes?: number;
    readonly maxRowBytes?: number;
    readonly requestMs?: number;
  };
}

/** A call as received: its operation, and the statement of an Execute. */
export interface RdsDataCall {
  readonly operation: string;
  readonly sql?: string;
  readonly transactionId?: string;
}

export interface LocalRdsData extends LocalServer {
  /** every call, in arrival order */
  readonly calls: RdsDataCall[];
  /** transactions begun and not yet ended */
  openTransactions(): number;
}

interface Column {
  readonly name: string;
  /** `java.sql.Types` */
  readonly type: number;
  readonly typeName: string;
}

interface Result {
  readonly columns: readonly Column[];
  /** each value as text (binary as a Buffer), or null */
  readonly rows: readonly (readonly (string | Buffer | null)[])[];
  readonly updated: number;
}

/** One server session, whichever engine. */
interface Session {
  readonly engine: 'postgres' | 'mysql';
  run(sql: string, values: readonly ParameterValue[]): Promise<Result>;
  /** stops the running statement from another session */
  cancel(): Promise<void>;
  close(): Promise<void>;
}

interface Login {
  readonly cluster: LocalCluster;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

interface Transaction {
  readonly session: Session;
  readonly key: string;
  busy: boolean;
}

class DataApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const IDLE_MS = 250;

export async function startLocalRdsData(options: LocalRdsDataOptions): Promise<LocalRdsData> {
  const limits = {
    maxResponseBytes: options.limits?.maxResponseBytes ?? RDS_DATA_API.maxResponseBytes,
    maxRowBytes: options.limits?.maxRowBytes ?? RDS_DATA_API.maxRowBytes,
    requestMs: options.limits?.requestMs ?? RDS_DATA_API.maxRequestSeconds * 1000,
  };
  const calls: RdsDataCall[] = [];
  const transactions = new Map<string, Transaction>();
  const idle = new Map<string, { session: Session; timer: ReturnType<typeof setTimeout> }[]>();
  const all = new Set<Session>();

  const loginOf = (input: Record<string, unknown>): Login => {
    const cluster = options.clusters[String(input.resourceArn)];
    if (!cluster)
      throw new DataApiError('NotFoundException', 404, `DB cluster ${String(input.resourceArn)} not found`);
    const text = options.secret(String(input.secretArn));
    const secret =
      text === undefined ? undefined : (JSON.parse(text) as { username?: string; password?: string });
    if (!secret?.username || secret.password === undefined) {
      throw new DataApiError(
        'SecretsErrorException',
        400,
        `There was a problem with the Secrets Manager secret ${String(input.secretArn)}`,
      );
    }
    const database =
      typeof input.database === 'string' ? input.database : new URL(cluster.url).pathname.slice(1);
    return { cluster, user: secret.username, password: secret.password, database };
  };
  const keyOf = (login: Login) =>
    JSON.stringify([login.cluster.url, login.user, login.password, login.database]);

  const acquire = async (login: Login): Promise<{ session: Session; key: string }> => {
    const key = keyOf(login);
    const ready = idle.get(key)?.pop();
    if (ready) {
      clearTimeout(ready.timer);
      return { session: ready.session, key };
    }
    try {
      const session = await connect(login);
      all.add(session);
      return { session, key };
    } catch (error) {
      throw databaseError(error);
    }
  };
  const release = (key: string, session: Session): void => {
    const list = idle.get(key) ?? [];
    const entry = {
      session,
      timer: setTimeout(() => {
        const index = list.indexOf(entry);
        if (index >= 0) list.splice(index, 1);
        all.delete(session);
        void session.close();
      }, IDLE_MS),
    };
    list.push(entry);
    idle.set(key, list);
  };
  const discard = (session: Session): void => {
    all.delete(session);
    void session.close();
  };

  /** one statement, under the request timeout and the result limits */
  const execute = async (
    session: Session,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown>> => {
    const sql = String(input.sql ?? '');
    const { text, values } = bound(sql, session.engine, input.parameters);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        void session.cancel().catch(() => undefined);
        reject(new DataApiError('StatementTimeoutException', 400, 'Request timed out'));
      }, limits.requestMs);
    });
    let result: Result;
    try {
      result = await Promise.race([session.run(text, values), timedOut]);
    } catch (error) {
      throw error instanceof DataApiError ? error : databaseError(error);
    } finally {
      clearTimeout(timer);
    }
    const options = (input.resultSetOptions ?? {}) as { longReturnType?: string; decimalReturnType?: string };
    const records = result.rows.map((row) =>
      row.map((value, i) => fieldOf(value, result.columns[i], options)),
    );
    for (const record of records) {
      if (Buffer.byteLength(JSON.stringify(record)) > limits.maxRowBytes) {
        throw new DataApiError('BadRequestException', 400, 'Packet for query is too large');
      }
    }
    const body: Record<string, unknown> = {
      numberOfRecordsUpdated: result.updated,
      ...(result.columns.length > 0 ? { records } : {}),
      ...(input.includeResultMetadata === true ? { columnMetadata: result.columns.map(metadataOf) } : {}),
    };
    if (Buffer.byteLength(JSON.stringify(body)) > limits.maxResponseBytes) {
      throw new DataApiError(
        'BadRequestException',
        400,
        'Database returned more than the allowed response size limit',
      );
    }
    return body;
  };

  const transactionOf = (input: Record<string, unknown>): [string, Transaction] => {
    const id = String(input.transactionId);
    const transaction = transactions.get(id);
    if (!transaction)
      throw new DataApiError('TransactionNotFoundException', 404, `Transaction ${id} is not found`);
    return [id, transaction];
  };

  /** ends a transaction: its session back to the pool, or closed when it cannot be trusted */
  const end = async (
    id: string,
    transaction: Transaction,
    statement: 'ROLLBACK' | 'COMMIT',
  ): Promise<void> => {
    transactions.delete(id);
    try {
      await transaction.session.run(statement, []);
      if (transaction.session.engine === 'mysql') await transaction.session.run('SET autocommit = 1', []);
      release(transaction.key, transaction.session);
    } catch {
      discard(transaction.session);
    }
  };

  const operations: Readonly<
    Record<string, (input: Record<string, unknown>) => Promise<Record<string, unknown>>>
  > = {
    '/BeginTransaction': async (input) => {
      const login = loginOf(input);
      const { session, key } = await acquire(login);
      try {
        await session.run(session.engine === 'postgres' ? 'BEGIN' : 'SET autocommit = 0', []);
      } catch (error) {
        discard(session);
        throw databaseError(error);
      }
      const id = randomBytes(24).toString('base64');
      transactions.set(id, { session, key, busy: false });
      return { transactionId: id };
    },
    '/Execute': async (input) => {
      if (input.transactionId === undefined) {
        const { session, key } = await acquire(loginOf(input));
        try {
          const body = await execute(session, input);
          release(key, session);
          return body;
        } catch (error) {
          discard(session);
          throw error;
        }
      }
      loginOf(input);
      const [id, transaction] = transactionOf(input);
      if (transaction.busy)
        throw new DataApiError('DatabaseErrorException', 400, 'Transaction is still running a query');
      transaction.busy = true;
      try {
        return await execute(transaction.session, input);
      } catch (error) {
        // a result over the limits ends the transaction, as the Data API does
        if (error instanceof DataApiError && error.type === 'BadRequestException')
          await end(id, transaction, 'ROLLBACK');
        throw error;
      } finally {
        transaction.busy = false;
      }
    },
    '/RollbackTransaction': async (input) => {
      const [id, transaction] = transactionOf(input);
      if (transaction.busy)
        throw new DataApiError('DatabaseErrorException', 400, 'Transaction is still running a query');
      await end(id, transaction, 'ROLLBACK');
      return { transactionStatus: 'Rollback Complete' };
    },
    '/CommitTransaction': async (input) => {
      const [id, transaction] = transactionOf(input);
      await end(id, transaction, 'COMMIT');
      return { transactionStatus: 'Transaction Committed' };
    },
  };

  async function handle(request: LocalRequest): Promise<LocalReply> {
    const operation = request.method === 'POST' ? operations[request.path] : undefined;
    let input: Record<string, unknown> = {};
    try {
      if (!operation) throw new DataApiError('UnknownOperationException', 404, `no route ${request.path}`);
      input = JSON.parse(request.body.toString('utf8') || '{}') as Record<string, unknown>;
      calls.push({
        operation: request.path.slice(1),
        ...(typeof input.sql === 'string' ? { sql: input.sql } : {}),
        ...(typeof input.transactionId === 'string' ? { transactionId: input.transactionId } : {}),
      });
      const body = await operation(input);
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    } catch (error) {
      const failure =
        error instanceof DataApiError
          ? error
          : new DataApiError('InternalServerErrorException', 500, String(error));
      return {
        status: failure.status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': failure.type },
        body: JSON.stringify({ message: failure.message }),
      };
    }
  }

  const server = await startLocalServer(handle, { maxBodyBytes: 4 * 1024 * 1024 });
  return {
    ...server,
    calls,
    openTransactions: () => transactions.size,
    async close() {
      await server.close();
      for (const list of idle.values()) for (const { timer } of list) clearTimeout(timer);
      await Promise.allSettled([...all].map((session) => session.close()));
    },
  };
}

/** The statement with its `:name` parameters as the server's own markers, and their values in order. */
function bound(
  sql: string,
  engine: 'postgres' | 'mysql',
  parameters: unknown,
): { text: string; values: ParameterValue[] } {
  const list = Array.isArray(parameters)
    ? (parameters as { name: string; value: Record<string, unknown> }[])
    : [];
  if (list.length === 0) return { text: sql, values: [] };
  const map: Record<string, ParameterValue> = {};
  for (const { name, value } of list) {
    const given = value.stringValue ?? value.longValue ?? value.doubleValue ?? value.booleanValue;
    map[name] = given as ParameterValue;
  }
  const marker = engine === 'postgres' ? (index: number) => `$${index + 1}` : () => '?';
  const result = bindParameters(sql, engine, map, marker);
  return { text: result.sql, values: [...result.values] };
}

const INTEGERS = new Set([-6, 5, 4, -5]);
const DECIMALS = new Set([2, 3]);
const FLOATS = new Set([6, 7, 8]);
const BOOLEANS = new Set([-7, 16]);

function fieldOf(
  value: string | Buffer | null,
  column: Column | undefined,
  options: { longReturnType?: string; decimalReturnType?: string },
): Record<string, unknown> {
  if (value === null) return { isNull: true };
  if (Buffer.isBuffer(value)) return { blobValue: value.toString('base64') };
  const type = column?.type ?? 12;
  if (BOOLEANS.has(type)) return { booleanValue: value === 't' || value === '1' || value === 'true' };
  if (INTEGERS.has(type))
    return options.longReturnType === 'STRING' ? { stringValue: value } : { longValue: Number(value) };
  if (DECIMALS.has(type)) {
    if (options.decimalReturnType !== 'DOUBLE_OR_LONG') return { stringValue: value };
    return Number.isInteger(Number(value)) ? { longValue: Number(value) } : { doubleValue: Number(value) };
  }
  if (FLOATS.has(type)) return { doubleValue: Number(value) };
  return { stringValue: value };
}

function metadataOf(column: Column): Record<string, unknown> {
  return { name: column.name, label: column.name, type: column.type, typeName: column.typeName };
}

/** A server's error as the Data API passes it on. */
function databaseError(error: unknown): DataApiError {
  const { message, code, sqlState } = error as { message?: string; code?: string; sqlState?: string };
  const state = sqlState ?? code;
  return new DataApiError(
    'DatabaseErrorException',
    400,
    `${message ?? String(error)}${state && /^[0-9A-Z]{5}$/.test(state) ? `; SQLState: ${state}` : ''}`,
  );
}

async function connect(login: Login): Promise<Session> {
  const url = new URL(login.cluster.url);
  const host = url.hostname;
  if (login.cluster.engine === 'postgres') {
    const options = {
      host,
      port: Number(url.port || 5432),
      database: login.database,
      user: login.user,
      password: login.password,
      // every value as the server's text, typed here by its column
      types: { getTypeParser: () => (text: string) => text },
    } as pg.ClientConfig;
    const client = new pg.Client(options);
    client.on('error', () => undefined);
    await client.connect();
    const pid = (await client.query<{ pid: string }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    return {
      engine: 'postgres',
      async run(sql, values) {
        // the extended protocol: exactly one statement
        const result = await client.query({
          text: sql,
          values: [...values],
          rowMode: 'array',
          queryMode: 'extended',
        } as pg.QueryArrayConfig);
        return {
          columns: result.fields.map((field) => postgresColumn(field.name, field.dataTypeID)),
          rows: result.rows.map((row) => row.map((value) => (value === null ? null : String(value)))),
          updated: result.command === 'SELECT' ? 0 : (result.rowCount ?? 0),
        };
      },
      async cancel() {
        const other = new pg.Client({ ...options });
        await other.connect();
        try {
          await other.query(`SELECT pg_cancel_backend(${Number(pid)})`);
        } finally {
          await other.end();
        }
      },
      close: () => client.end().catch(() => undefined),
    };
  }
  const options = {
    host,
    port: Number(url.port || 3306),
    database: login.database,
    user: login.user,
    password: login.password,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    dateStrings: true,
    multipleStatements: false,
  };
  const connection = await mysql.createConnection(options);
  connection.on('error', () => undefined);
  const threadId = connection.threadId;
  return {
    engine: 'mysql',
    async run(sql, values) {
      const [rows, fields] =
        values.length > 0
          ? await connection.execute({ sql, values: [...values], rowsAsArray: true })
          : await connection.query({ sql, rowsAsArray: true });
      if (!Array.isArray(rows)) {
        return { columns: [], rows: [], updated: (rows as { affectedRows?: number }).affectedRows ?? 0 };
      }
      return {
        columns: (fields ?? []).map(mysqlColumn),
        rows: (rows as unknown[][]).map((row) => row.map(mysqlText)),
        updated: 0,
      };
    },
    async cancel() {
      const other = await mysql.createConnection(options);
      try {
        await other.query(`KILL QUERY ${threadId}`);
      } finally {
        await other.end();
      }
    },
    close: () => connection.end().catch(() => undefined),
  };
}

/** PostgreSQL type OIDs → JDBC types, as the PostgreSQL JDBC driver reports them */
const POSTGRES_TYPES: Readonly<Record<number, readonly [number, string]>> = {
  16: [-7, 'bool'],
  17: [-2, 'bytea'],
  20: [-5, 'int8'],
  21: [5, 'int2'],
  23: [4, 'int4'],
  25: [12, 'text'],
  700: [7, 'float4'],
  701: [8, 'float8'],
  1042: [1, 'bpchar'],
  1043: [12, 'varchar'],
  1082: [91, 'date'],
  1114: [93, 'timestamp'],
  1184: [93, 'timestamptz'],
  1700: [2, 'numeric'],
};

function postgresColumn(name: string, oid: number): Column {
  const [type, typeName] = POSTGRES_TYPES[oid] ?? [1111, 'unknown'];
  return { name, type, typeName };
}

/** MySQL column types → JDBC types, as MySQL Connector/J reports them (TINYINT(1) as BIT) */
function mysqlColumn(field: {
  name: string;
  columnType?: number;
  columnLength?: number;
  characterSet?: number;
}): Column {
  const binary = field.characterSet === 63;
  switch (field.columnType) {
    case 1:
      return field.columnLength === 1
        ? { name: field.name, type: -7, typeName: 'BIT' }
        : { name: field.name, type: -6, typeName: 'TINYINT' };
    case 2:
      return { name: field.name, type: 5, typeName: 'SMALLINT' };
    case 3:
    case 9:
      return { name: field.name, type: 4, typeName: 'INT' };
    case 8:
      return { name: field.name, type: -5, typeName: 'BIGINT' };
    case 4:
      return { name: field.name, type: 7, typeName: 'FLOAT' };
    case 5:
      return { name: field.name, type: 8, typeName: 'DOUBLE' };
    case 0:
    case 246:
      return { name: field.name, type: 3, typeName: 'DECIMAL' };
    case 7:
    case 12:
      return { name: field.name, type: 93, typeName: 'DATETIME' };
    case 10:
      return { name: field.name, type: 91, typeName: 'DATE' };
    case 16:
      return { name: field.name, type: -7, typeName: 'BIT' };
    case 249:
    case 250:
    case 251:
    case 252:
      return binary
        ? { name: field.name, type: -4, typeName: 'BLOB' }
        : { name: field.name, type: -1, typeName: 'TEXT' };
    default:
      return binary
        ? { name: field.name, type: -3, typeName: 'VARBINARY' }
        : { name: field.name, type: 12, typeName: 'VARCHAR' };
  }
}

function mysqlText(value: unknown): string | Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  return String(value);
}
