/**
 * Reads a `local.url` (`postgres://user:password@host:port/database?sslmode=require`) into the
 * address an engine connects to. Every parameter is either honoured or refused with a clear error:
 * a TLS setting silently dropped would connect in plain text.
 */
import type { ConnectionTarget, TlsMode } from '../../core/ports.js';
import { ProbeError } from '../../core/probe-error.js';

/** What an engine needs to open a connection: a `server` target without its pool size. */
export type ServerAddress = Omit<Extract<ConnectionTarget, { kind: 'server' }>, 'kind' | 'maxConnections'>;

export interface UrlRules {
  readonly defaultPort: number;
  /** the engine's TLS parameter and what each of its values means; anything else is refused */
  readonly tls: { readonly parameter: string; readonly modes: Readonly<Record<string, TlsMode>> };
  /** other parameters the engine accepts (and ignores), by name */
  readonly ignored?: readonly string[];
}

/** Throws a `CONNECTION_FAILED` `ProbeError` naming what is wrong (never the password). */
export function connectionUrl(text: string, rules: UrlRules): ServerAddress {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProbeError('CONNECTION_FAILED', 'local url is not a valid URL');
  }
  let tls: TlsMode = 'disable';
  for (const [name, value] of url.searchParams) {
    if (name === rules.tls.parameter) {
      const mode = Object.hasOwn(rules.tls.modes, value) ? rules.tls.modes[value] : undefined;
      if (mode === undefined) {
        throw new ProbeError(
          'CONNECTION_FAILED',
          `local url: ${name}=${value} is not supported; use one of ${Object.keys(rules.tls.modes)
            .map((known) => `${name}=${known}`)
            .join(', ')}`,
        );
      }
      tls = mode;
    } else if (!rules.ignored?.includes(name)) {
      throw new ProbeError(
        'CONNECTION_FAILED',
        `local url: parameter '${name}' is not supported (supported: ${[rules.tls.parameter, ...(rules.ignored ?? [])].join(', ')})`,
      );
    }
  }
  const login = { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  return {
    host: decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : rules.defaultPort,
    database: decodeURIComponent(url.pathname.slice(1)),
    login: () => login,
    tls,
  };
}
