/**
 * YAML syntax errors in words. The parser names what it met ("sequence item without - indicator");
 * the lines around the error usually show what the writer meant: a key indented a space too few or
 * too many, a missing colon, a colon inside a plain value, a quote or bracket never closed.
 */

interface KeyLine {
  /** 1-based line number */
  readonly line: number;
  /** 0-based column of the key */
  readonly column: number;
  readonly key: string;
  /** what follows `key:` on the line, comment removed */
  readonly value: string;
  /** the key follows a `- ` (it opens a sequence item's map) */
  readonly inItem: boolean;
}

/** `key: value`, `- key: value`, `- - key:`: the key, where it starts and what follows it. */
function keyLine(text: string, line: number): KeyLine | undefined {
  const match = /^(\s*)((?:-\s+)*)([^\s#:'"[\]{}&*!|>%@`-][^:#]*?|'[^']*'|"[^"]*")\s*:(?:\s+(.*))?$/.exec(
    text,
  );
  if (!match) return undefined;
  const [, spaces = '', dashes = '', key = '', rest = ''] = match;
  return {
    line,
    column: spaces.length + dashes.length,
    key,
    value: rest.replace(/(^|\s)#.*$/, '').trim(),
    inItem: dashes.length > 0,
  };
}

function isSignificant(text: string | undefined): text is string {
  return text !== undefined && !/^\s*(#.*)?$/.test(text);
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

/** The hint for the error the parser reported at `line` (1-based) of `text`, if the lines show one. */
export function yamlHint(text: string, line: number, parserMessage: string): string | undefined {
  const lines = text.split(/\r?\n/);
  if (/call stack/i.test(parserMessage)) return 'the document nests too deeply to read';
  if (/quote/i.test(parserMessage)) return unclosedQuote(lines, line);
  const flow = /end with an? ([\]}])/.exec(parserMessage);
  if (flow) return unclosedFlow(lines, line, flow[1] === ']' ? '[' : '{');
  const next = lines.findIndex((candidate, index) => index >= line && isSignificant(candidate));
  for (const at of next < 0 ? [line] : [line, next + 1]) {
    const hint = colonInValue(lines, at) ?? missingColon(lines, at) ?? misindented(lines, at);
    if (hint) return hint;
  }
  return undefined;
}

/** `sql: SELECT a: b`: a plain value with `: ` in it reads as a nested map. */
function colonInValue(lines: readonly string[], line: number): string | undefined {
  const entry = keyLine(lines[line - 1] ?? '', line);
  if (!entry || !/:\s/.test(entry.value) || /^["'[{|>]/.test(entry.value)) return undefined;
  return `the value of '${entry.key}:' on line ${line} holds ': ', which YAML reads as the start of a map; put the value in quotes or write it as a block ('${entry.key}: |' and the value on the lines below)`;
}

/** `engine postgres`: a line in a map that is no `key: value` pair. */
function missingColon(lines: readonly string[], line: number): string | undefined {
  const text = lines[line - 1] ?? '';
  const content = text.trim().replace(/\s+#.*$/, '');
  if (
    !isSignificant(text) ||
    /^-(\s|$)/.test(content) ||
    /:(\s|$)/.test(content) ||
    /^["'[{|>&*!]/.test(content)
  )
    return undefined;
  const fixed = /\s/.test(content) ? content.replace(/\s+/, ': ') : `${content}:`;
  return `'${content}' on line ${line} is not a 'key: value' pair; a key ends with a colon and a space ('${fixed}')`;
}

/** The open blocks at a line: for each column a key may start at, the latest key there. */
function openBlocks(lines: readonly string[], before: number): KeyLine[] {
  const open: KeyLine[] = [];
  for (let index = 0; index < before - 1; index++) {
    const text = lines[index];
    if (!isSignificant(text)) continue;
    const indent = indentOf(text);
    while (open.length > 0 && (open.at(-1)?.column ?? 0) > indent) open.pop();
    const entry = keyLine(text, index + 1);
    if (!entry) {
      // `- value`: the dash's column is a place later items line up with
      if (/^-(\s|$)/.test(text.trimStart()) && open.at(-1)?.column !== indent) {
        open.push({ line: index + 1, column: indent, key: '', value: text.trim(), inItem: false });
      }
      continue;
    }
    // the item's dash and its key are both places a later line may line up with
    if (entry.inItem) {
      if (open.at(-1)?.column === indent) open.pop();
      open.push({ ...entry, column: indent, inItem: false });
    }
    // a later key of the same map: it stands for the map now, an item's map staying one
    const same = open.at(-1)?.column === entry.column ? open.pop() : undefined;
    open.push(same?.inItem ? { ...entry, inItem: true } : entry);
    // a block scalar's lines are text, not keys
    if (/^[|>]/.test(entry.value)) {
      while (
        index + 1 < before - 1 &&
        !(isSignificant(lines[index + 1]) && indentOf(lines[index + 1] ?? '') <= indent)
      )
        index++;
    }
  }
  return open;
}

/** A key a space or two off the column of the keys it belongs with. */
function misindented(lines: readonly string[], line: number): string | undefined {
  const entry = keyLine(lines[line - 1] ?? '', line);
  if (!entry) return undefined;
  const indent = indentOf(lines[line - 1] ?? '');
  const open = openBlocks(lines, line);
  if (open.some((block) => block.column === indent)) return undefined;
  const deeper = open.find((block) => block.column > indent);
  const key = `'${entry.key}:'`;
  if (deeper?.key === '') return undefined;
  if (deeper) {
    const belongs = deeper.inItem ? 'the item it belongs to' : 'the other keys of its map';
    return `${key} on line ${line} is indented less than ${belongs} ('${deeper.key}:' on line ${deeper.line} starts in column ${deeper.column + 1}); indent it to column ${deeper.column + 1}`;
  }
  const above = open.at(-1);
  // deeper than the line above is right only under a key whose value follows on the next lines
  if (!above || above.value === '') return undefined;
  return `${key} on line ${line} is indented more than '${above.key}:' on line ${above.line}, which already has a value; keys of one map start in the same column (${above.column + 1})`;
}

function unclosedQuote(lines: readonly string[], line: number): string | undefined {
  for (let index = Math.min(line, lines.length) - 1; index >= 0; index--) {
    const value = /^\s*(?:-\s+)*(?:[^\s#'"][^:#]*:\s+)?(["'])(.*)$/.exec(lines[index] ?? '');
    if (!value) continue;
    const [, quote = '"', rest = ''] = value;
    const closed = quote === '"' ? /(^|[^\\])(\\\\)*"/.test(rest) : /'/.test(rest.replaceAll("''", ''));
    if (!closed) return `the ${quote} opened on line ${index + 1} is never closed`;
  }
  return undefined;
}

function unclosedFlow(lines: readonly string[], line: number, open: '[' | '{'): string | undefined {
  const close = open === '[' ? ']' : '}';
  for (let index = Math.min(line, lines.length) - 1; index >= 0; index--) {
    const text = (lines[index] ?? '').replace(/\s#.*$/, '');
    if (text.split(open).length > text.split(close).length) {
      return `the '${open}' on line ${index + 1} is never closed with '${close}'`;
    }
  }
  return undefined;
}
