/**
 * Construct ids derived from names in `probes.yaml`, never from positions, so reordering the file
 * changes no logical id. A name that is not a plain id (a schedule expression) is sanitised and
 * suffixed with a hash of its exact text, so two expressions never share an id; output ids
 * likewise.
 */
import { createHash } from 'node:crypto';

const PLAIN = /^[A-Za-z0-9_-]{1,64}$/;

/** `<prefix>-<name>`, or `<prefix>-<sanitised name>-<8 hex digits>` when the name is not plain. */
export function stableId(prefix: string, name: string): string {
  if (PLAIN.test(name)) return `${prefix}-${name}`;
  const readable = name
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return [prefix, readable, hash].filter((part) => part !== '').join('-');
}

/**
 * A CloudFormation output id (letters and digits only): `<Prefix><name>`, with the name's other
 * characters dropped and 8 hex digits of its exact text appended when any were.
 */
export function outputId(prefix: string, name: string): string {
  const plain = name.replace(/[^A-Za-z0-9]+/g, '');
  if (plain === name) return `${prefix}${name}`;
  return `${prefix}${plain}${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}
