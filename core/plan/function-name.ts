/**
 * The names functions go by in reports, logs and local runs, derived from config names:
 * `chasm-<namespace>-<id>`, lowercase, in Lambda's character set, at most 64 characters. A name
 * depends only on the namespace and the function's own id, so adding or renaming another VPC never
 * renames this one. Deployed functions are not given them: CloudFormation names those after their
 * stack, so two stacks of one file never collide.
 */
import { LAMBDA } from '../limits.js';

const PREFIX = 'chasm';
/** the namespace keeps at least this many characters when a long id needs room */
const MIN_NAMESPACE_CHARS = 8;

/**
 * The name of a function. When the readable form loses information (characters outside
 * `[a-z0-9_-]`, upper case) or is too long, a short hash of the exact namespace and id is appended,
 * so distinct ids never share a name.
 *
 * @example
 * functionName('Acme/Sessions', 'vpc-app'); // 'chasm-acme-sessions-vpc-app'
 * functionName('Acme/Sessions', 'vpc-App'); // 'chasm-acme-sessions-vpc-app-<8 hex digits>'
 */
export function functionName(namespace: string, id: string): string {
  const ns = slug(namespace) || 'metrics';
  const idSlug = slug(id);
  const readable = `${PREFIX}-${ns}-${idSlug}`;
  if (idSlug === id && readable.length <= LAMBDA.maxFunctionNameLength) return readable;
  const hash = fnv1a(`${namespace}\u0000${id}`);
  // room for `chasm-`, two separators and the hash
  const room = LAMBDA.maxFunctionNameLength - PREFIX.length - hash.length - 3;
  const idRoom = Math.max(room - Math.min(ns.length, MIN_NAMESPACE_CHARS), 0);
  const idPart = trimDashes(idSlug.slice(0, idRoom));
  const nsPart = trimDashes(ns.slice(0, room - idPart.length));
  return [PREFIX, nsPart, idPart, hash].filter((part) => part !== '').join('-');
}

/** lowercase, runs of characters outside Lambda's set collapsed to one dash */
function slug(text: string): string {
  return trimDashes(text.toLowerCase().replace(/[^a-z0-9_]+/g, '-'));
}

function trimDashes(text: string): string {
  return text.replace(/^-+|-+$/g, '');
}

/** FNV-1a, 32 bits, as 8 hex digits: stable across runs and platforms, no crypto needed */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
