/**
 * A `probes.yaml` text parsed with source positions: its plain value, its YAML-level problems
 * (syntax, tabs, duplicate keys) and a way to find the line and column of any path in it.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  visit,
  type YAMLMap,
} from 'yaml';
import type { PendingIssue } from './pending-issue.js';
import { yamlHint } from './yaml-hints.js';

export interface SourcePosition {
  /** 1-based */
  readonly line: number;
  /** 1-based */
  readonly column: number;
}

/** A YAML problem, already positioned. */
export interface YamlProblem extends SourcePosition {
  readonly message: string;
}

export interface YamlSource {
  /** the document as plain data (maps → objects, sequences → arrays) */
  readonly value: unknown;
  readonly problems: readonly YamlProblem[];
  /** true when the document's structure cannot be trusted (syntax errors, tabs): check nothing more */
  readonly broken: boolean;
  /** where an issue points: the key or value at its path, else the nearest enclosing node that exists */
  locate(issue: Pick<PendingIssue, 'path' | 'at'>): SourcePosition;
}

export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const lineStarts = lineCounter.lineStarts;
  const position = (offset: number): SourcePosition => {
    // yaml may report an error just past the text's end: keep every position inside the file
    const { line, col } = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    const lineEnd = (lineStarts[line] ?? text.length + 1) - 1;
    const length = lineEnd - (lineStarts[line - 1] ?? 0);
    return { line, column: Math.max(1, Math.min(col, length + 1)) };
  };

  const problems: YamlProblem[] = [];
  const lines = new Set<number>();
  let syntaxErrors = 0;
  for (const error of doc.errors) {
    // after the first syntax error the parser's view is unreliable: later ones are mostly its
    // echoes; tabs are each a problem of their own. One problem per line at most.
    const tab = error.code === 'TAB_AS_INDENT';
    if (!tab && syntaxErrors++ > 0) continue;
    const at = position(error.pos[0]);
    if (!lines.has(at.line))
      problems.push({ ...at, message: yamlMessage(error.code, error.message, text, at.line) });
    lines.add(at.line);
  }
  const broken = problems.length > 0;
  if (!broken) problems.push(...duplicateKeys(doc, position));

  // the plain value of a broken document is never read; toJS may not cope with every broken tree
  const value = broken ? null : doc.toJS({ maxAliasCount: 10_000 });
  const index = new WeakMap<YAMLMap, Map<string, Pair>>();

  const locate = ({ path, at }: Pick<PendingIssue, 'path' | 'at'>): SourcePosition => {
    let node: unknown = doc.contents;
    let pair: Pair | undefined;
    let found = 0;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: { node: unknown; pair?: Pair } | undefined;
      if (isMap(node)) {
        const entry = pairsOf(node, index).get(segment);
        if (entry) next = { node: entry.value, pair: entry };
      } else if (isSeq(node)) {
        const item = /^[0-9]+$/.test(segment) ? node.items[Number(segment)] : undefined;
        if (item !== undefined) next = { node: item };
      }
      if (!next) break;
      node = next.node;
      pair = next.pair;
      found++;
    }
    const complete = found === path.length;
    const keyNode = pair && (complete && at === 'key' ? pair.key : undefined);
    // an empty value (`probes:` and nothing) has no text of its own: point at its key
    const valueNode = isScalar(node) && node.range && node.range[0] === node.range[1] ? undefined : node;
    const target = startOf(keyNode) ?? startOf(valueNode) ?? startOf(pair?.key);
    return target === undefined ? { line: 1, column: 1 } : position(target);
  };

  return { value, problems, broken, locate };
}

function startOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function keyText(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String(key);
}

/** entries of a map by key, built once per map; the last of duplicate keys wins, as in the plain value */
function pairsOf(map: YAMLMap, index: WeakMap<YAMLMap, Map<string, Pair>>): Map<string, Pair> {
  let pairs = index.get(map);
  if (!pairs) {
    pairs = new Map();
    for (const pair of map.items) pairs.set(keyText(pair.key), pair);
    index.set(map, pairs);
  }
  return pairs;
}

function duplicateKeys(doc: Document, position: (offset: number) => SourcePosition): YamlProblem[] {
  const problems: YamlProblem[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Map<string, Pair>();
      for (const pair of map.items) {
        const key = keyText(pair.key);
        const first = seen.get(key);
        if (first) {
          const firstAt = startOf(first.key);
          const where = firstAt === undefined ? '' : ` (first defined at line ${position(firstAt).line})`;
          problems.push({
            ...position(startOf(pair.key) ?? 0),
            message: `duplicate key '${key}'${where}; each key may appear once`,
          });
        } else {
          seen.set(key, pair);
        }
      }
    },
  });
  return problems;
}

/**
 * What the writer most likely got wrong (see yaml-hints.ts), or else yaml's message without its
 * own position suffix, in the voice of the other messages.
 */
function yamlMessage(code: string, message: string, source: string, line: number): string {
  if (code === 'TAB_AS_INDENT') return 'tab used for indentation; YAML indents with spaces only';
  const text = message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
  const hint = yamlHint(source, line, text);
  return `YAML syntax error: ${hint ?? `${text.charAt(0).toLowerCase()}${text.slice(1)}`}`;
}
