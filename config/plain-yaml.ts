/**
 * A fast reader for the plain YAML most `probes.yaml` files are written in: block maps and
 * sequences, one-line flow collections, plain and single-line quoted scalars, `|` block scalars,
 * comments. It gives up (returns undefined) on anything else — anchors, tags, folded or
 * multi-line scalars, tabs, duplicate keys, syntax errors — and the full `yaml` parser takes over.
 *
 * Why: the budget "validate + plan, 10,000 probes ≤ 2 s" (`bench/validate-plan-10k.bench.ts`).
 * The full parser keeps every source position; on that benchmark's 3.3 MB file it takes 1.4 s to
 * tokenize alone. Measured on two cores: 0.40–0.87 s with this reader, 2.9–4.6 s with the `yaml`
 * parser only. Positions are needed only to report errors, so an invalid file is read again by the
 * full parser. When it returns a value, that value equals what the full parser would produce
 * (YAML 1.2 core schema).
 */

class GiveUp extends Error {}

/**
 * Nesting this reader follows; a `probes.yaml` needs about eight levels. Deeper documents go to
 * the full parser, which reports them, instead of exhausting the stack here.
 */
const MAX_DEPTH = 64;

interface Line {
  /** 0-based line number */
  readonly number: number;
  indent: number;
  /** the text after the indentation */
  text: string;
}

const giveUp = (): never => {
  throw new GiveUp();
};

/** The document as plain data, or undefined when it is not plain enough for this reader. */
export function readPlainYaml(source: string): unknown {
  if (/[\t\r\uFEFF]/.test(source)) return undefined;
  const raw = source.split('\n');
  try {
    const reader = new Reader(raw);
    const value = reader.node(0);
    if (reader.peek() !== undefined || value === undefined) return undefined;
    return value;
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
}

function isBlank(text: string): boolean {
  return /^\s*(#.*)?$/.test(text);
}

class Reader {
  private next = 0;
  private depth = 0;
  private readonly lines: (Line | undefined)[] = [];

  constructor(private readonly raw: readonly string[]) {
    for (const [number, text] of raw.entries()) {
      if (/^(---|\.\.\.|%)/.test(text)) giveUp();
      const body = text.trimStart();
      this.lines.push(isBlank(text) ? undefined : { number, indent: text.length - body.length, text: body });
    }
  }

  peek(): Line | undefined {
    while (this.next < this.lines.length && this.lines[this.next] === undefined) this.next++;
    return this.lines[this.next];
  }

  /** a block node whose first line is indented at least `min` */
  node(min: number): unknown {
    const line = this.peek();
    if (!line || line.indent < min) return undefined;
    if (++this.depth > MAX_DEPTH) giveUp();
    try {
      if (line.text === '-' || line.text.startsWith('- ')) return this.sequence(line.indent);
      if (mapEntry(line.text)) return this.map(line.indent);
      return giveUp();
    } finally {
      this.depth--;
    }
  }

  private map(indent: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (let line = this.peek(); line && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent) giveUp();
      const entry = mapEntry(line.text) ?? giveUp();
      if (Object.hasOwn(result, entry.key) || entry.key === '__proto__') giveUp();
      this.next++;
      result[entry.key] = this.value(entry.rest, indent, true);
    }
    return result;
  }

  private sequence(indent: number): unknown[] {
    const result: unknown[] = [];
    for (let line = this.peek(); line && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent || !(line.text === '-' || line.text.startsWith('- '))) giveUp();
      const rest = line.text.slice(1);
      const inner = rest.trimStart();
      if (
        inner !== '' &&
        !inner.startsWith('#') &&
        (mapEntry(inner) || inner === '-' || inner.startsWith('- '))
      ) {
        // `- key: value` starts a map (or `- - x` a sequence) indented where its text begins
        line.indent += 1 + rest.length - inner.length;
        line.text = inner;
        result.push(this.node(line.indent));
      } else {
        this.next++;
        result.push(this.value(rest, indent, false));
      }
    }
    return result;
  }

  /** the value after `key:` or `-` on a line of a block at `indent` */
  private value(rest: string, indent: number, inMap: boolean): unknown {
    const text = rest.trim();
    if (text === '' || text.startsWith('#')) {
      const line = this.peek();
      if (line && line.indent > indent) return this.node(indent + 1);
      // a map's value may be a sequence at the map's own indentation
      if (inMap && line && line.indent === indent && (line.text === '-' || line.text.startsWith('- '))) {
        return this.sequence(indent);
      }
      return null;
    }
    if (/^[|]/.test(text)) return this.literal(text, indent);
    return inlineValue(text);
  }

  /** a `|` block scalar: its lines keep their text after the block's indentation */
  private literal(header: string, indent: number): string {
    const match = /^\|([+-]?)\s*(#.*)?$/.exec(header) ?? giveUp();
    const chomp = match[1];
    const body: string[] = [];
    let blockIndent = -1;
    let index = this.next;
    for (; index < this.raw.length; index++) {
      const text = this.raw[index] ?? '';
      const content = text.trimStart();
      const spaces = text.length - content.length;
      if (content === '') {
        // an empty line longer than the block's indentation would keep spaces: leave it to the full parser
        if (blockIndent < 0 ? spaces > indent : spaces > blockIndent) giveUp();
        body.push('');
        continue;
      }
      if (blockIndent < 0) {
        if (spaces <= indent) break;
        blockIndent = spaces;
      } else if (spaces < blockIndent) {
        if (spaces > indent) giveUp();
        break;
      }
      body.push(text.slice(blockIndent));
    }
    this.next = index;
    // trailing empty lines belong to the chomping, not the content
    let end = body.length;
    while (end > 0 && body[end - 1] === '') end--;
    const content = body.slice(0, end).join('\n');
    if (end === 0) return chomp === '+' ? '\n'.repeat(body.length) : '';
    if (chomp === '-') return content;
    if (chomp === '+') return `${content}\n${'\n'.repeat(body.length - end)}`;
    return `${content}\n`;
  }
}

/** `key: rest` with a plain or quoted key, or undefined when the text is no map entry */
function mapEntry(text: string): { key: string; rest: string } | undefined {
  let key: string;
  let after: string;
  if (text.startsWith("'")) {
    const quoted = /^'((?:[^']|'')*)'\s*:(?=\s|$)/.exec(text);
    if (!quoted) return undefined;
    key = (quoted[1] ?? '').replaceAll("''", "'");
    after = text.slice(quoted[0].length);
  } else if (text.startsWith('"')) {
    const quoted = /^"([^"\\]*)"\s*:(?=\s|$)/.exec(text);
    if (!quoted) return undefined;
    key = quoted[1] ?? '';
    after = text.slice(quoted[0].length);
  } else {
    const plain = /^([^\s\-?:,[\]{}#&*!|>'"%@`][^:#]*?)\s*:(?=\s|$)/.exec(text);
    if (!plain) return undefined;
    key = plain[1] ?? '';
    // keys that YAML reads as numbers, booleans or null become other strings in plain data
    if (typeof plainScalar(key) !== 'string') giveUp();
    after = text.slice(plain[0].length);
  }
  return { key, rest: after };
}

/** a value written on one line: quoted, flow collection or plain scalar */
function inlineValue(text: string): unknown {
  if (text.startsWith('[') || text.startsWith('{')) {
    const flow = new Flow(text);
    const value = flow.collection();
    flow.end();
    return value;
  }
  if (text.startsWith("'") || text.startsWith('"')) {
    const { value, length } = quoted(text, 0);
    if (!isBlank(text.slice(length)) || !/^(\s|$)/.test(text.slice(length))) giveUp();
    return value;
  }
  // a comment starts at ' #'
  const plain = text.replace(/\s+#.*$/, '');
  // indicators, and ': ' (a nested map) or '- ' (a sequence) where a scalar should be
  if (/^[&*!|>%@`\]}?:,]/.test(plain) || /^-(\s|$)/.test(plain) || /:(\s|$)/.test(plain)) giveUp();
  return plainScalar(plain);
}

/** a quoted scalar starting at `from` (single-line; double quotes without escapes) */
function quoted(text: string, from: number): { value: string; length: number } {
  if (text[from] === "'") {
    const match = /^'((?:[^']|'')*)'/.exec(text.slice(from)) ?? giveUp();
    return { value: (match[1] ?? '').replaceAll("''", "'"), length: from + match[0].length };
  }
  const match = /^"([^"\\]*)"/.exec(text.slice(from)) ?? giveUp();
  return { value: match[1] ?? '', length: from + match[0].length };
}

/** YAML 1.2 core schema resolution of a plain scalar */
function plainScalar(text: string): unknown {
  if (/^(~|null|Null|NULL)?$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^0o[0-7]+$/.test(text)) return Number.parseInt(text.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number.parseFloat(text);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text))
    return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return Number.NaN;
  // anything else that looks like a number may be one to YAML in a way this reader does not know
  if (/^[-+.]?[0-9]/.test(text) && /^[-+.0-9eE_:xXoObB]+$/.test(text)) giveUp();
  return text;
}

/** a one-line flow collection: `{ a: 1, b: [x, 'y'] }` */
class Flow {
  private at = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  private space(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  end(): void {
    if (!isBlank(this.text.slice(this.at)) || !/^(\s|$)/.test(this.text.slice(this.at))) giveUp();
  }

  collection(): unknown {
    if (++this.depth > MAX_DEPTH) giveUp();
    const open = this.text[this.at];
    const close = open === '[' ? ']' : '}';
    this.at++;
    const list: unknown[] = [];
    const map: Record<string, unknown> = {};
    for (;;) {
      this.space();
      if (this.text[this.at] === close) {
        this.at++;
        this.depth--;
        return open === '[' ? list : map;
      }
      if (open === '[') {
        list.push(this.item());
      } else {
        const key = this.item();
        if (typeof key !== 'string' || Object.hasOwn(map, key) || key === '__proto__') giveUp();
        this.space();
        if (this.text[this.at] !== ':') giveUp();
        this.at++;
        this.space();
        const next = this.text[this.at];
        map[key as string] = next === ',' || next === '}' ? null : this.item();
      }
      this.space();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] !== close) giveUp();
    }
  }

  private item(): unknown {
    const char = this.text[this.at];
    if (char === '[' || char === '{') return this.collection();
    if (char === "'" || char === '"') {
      const { value, length } = quoted(this.text, this.at);
      this.at = length;
      return value;
    }
    // a plain scalar: up to a flow indicator, or a ':' that ends a key (followed by space or indicator)
    const match =
      /^[^,[\]{}#&*!|>'"%@`?:\s-](?:[^,[\]{}:#]|:(?![\s,[\]{}]|$))*/.exec(this.text.slice(this.at)) ??
      giveUp();
    if (this.text[this.at + match[0].length] === '#') giveUp();
    this.at += match[0].length;
    return plainScalar(match[0].trimEnd());
  }
}
