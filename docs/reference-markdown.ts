/**
 * docs/reference.md from schema.json: every key a `probes.yaml` may hold, at the path where it is
 * written, with its description, type, allowed values, default and examples, in the schema's own
 * order. Pure (the schema in, the text out): `npm run docs` writes the file, and a test compares it
 * with what this renders. A keyword this module has no words for is shown as JSON, never dropped.
 */

/** A JSON Schema node, as schema.json holds it. */
type Node = { readonly [keyword: string]: unknown };

/** Keywords this module reads; any other is shown as JSON beside the key it is on. */
const WORDED = new Set([
  '$schema',
  '$ref',
  '$defs',
  'title',
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'oneOf',
  'anyOf',
  'default',
  'examples',
  'const',
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
]);

const INTRO = `# probes.yaml reference

Every key a \`probes.yaml\` may hold, at the path where it is written. This file is generated from
\`schema.json\`, the language's normative form, by \`npm run docs\`; a test fails when the two differ,
so edit the schema's descriptions, not this file.

A key that is not listed is an error, as is a value outside what its entry allows. In a path,
\`<name>\` stands for a key you choose (\`<dimensionName>\`, \`<parameterName>\`: one written as that
definition allows) and \`[]\` for each item of a list. \`chasm validate\` checks more than the
schema: every reference resolves, each probe's SQL is one query statement, names and values keep
to CloudWatch's limits.`;

/** An object whose keys get a section: at a path, in one of its forms when `form` is given. */
interface Section {
  readonly path: string;
  readonly node: Node;
  readonly form?: string;
}

/** What describing one key collects: the sections of the objects it holds, and its value's forms. */
interface Collected {
  readonly sections: Section[];
  /** one line per form of the first `oneOf` met, listed under the key's type */
  forms?: string[];
}

export function renderReference(schema: Node): string {
  const defs = (schema.$defs ?? {}) as Readonly<Record<string, Node>>;

  /** The node with its `$ref` followed: the referring node's own keywords win over the target's. */
  const resolve = (node: Node): Node => {
    let current = node;
    const seen = new Set<string>();
    while (typeof current.$ref === 'string') {
      const ref = current.$ref;
      if (seen.has(ref)) throw new Error(`schema.json: ${ref} refers to itself`);
      seen.add(ref);
      const target = ref.startsWith('#/$defs/') ? defs[ref.slice('#/$defs/'.length)] : undefined;
      if (!target) throw new Error(`schema.json: no definition for ${ref}`);
      const { $ref: _ref, ...own } = current;
      current = { ...target, ...own };
    }
    return current;
  };

  const blocks: string[] = [INTRO];

  /** Writes a section, then the sections of the objects its keys hold, depth first. */
  const writeSection = ({ path, node, form }: Section): void => {
    blocks.push(`## ${path === '' ? 'Top level' : `${code(path)}${form ? `, as ${code(form)}` : ''}`}`);
    if (form !== undefined && typeof node.description === 'string') blocks.push(prose(node.description));
    // a key's own keywords are listed at its entry; a form's and the top level's only here
    const extra = form !== undefined || path === '' ? unworded(node) : [];
    if (extra.length > 0) blocks.push(extra.join('\n'));
    const sections: Section[] = [];
    const required = new Set((node.required as readonly string[] | undefined) ?? []);
    for (const [key, raw] of Object.entries((node.properties ?? {}) as Readonly<Record<string, Node>>)) {
      const keyPath = path === '' ? key : `${path}.${key}`;
      const property = resolve(raw);
      const collected: Collected = { sections };
      const lines = [`### ${code(keyPath)}`, ''];
      if (typeof property.description === 'string') lines.push(prose(property.description), '');
      if (required.has(key)) lines.push('- Required.');
      lines.push(`- Type: ${phrase(property, keyPath, collected)}`);
      for (const form of collected.forms ?? []) lines.push(`  - ${form}`);
      if (property.default !== undefined) lines.push(`- Default: ${code(valueText(property.default))}`);
      for (const example of (property.examples as readonly unknown[] | undefined) ?? [])
        lines.push(`- Example: ${code(valueText(example))}`);
      lines.push(...unworded(property));
      blocks.push(lines.join('\n'));
    }
    for (const section of sections) writeSection(section);
  };

  /** The type of a value in words; the objects it holds become sections, its forms lines. */
  const phrase = (raw: Node, path: string, collected: Collected): string => {
    const node = resolve(raw);
    const variants = (node.oneOf ?? node.anyOf) as readonly Node[] | undefined;
    if (variants) {
      const which = node.anyOf ? 'any' : 'one';
      const forms = variants.map((variant) => formPhrase(resolve(variant), path, collected));
      // the first choice is listed line by line, any deeper one inline
      if (collected.forms === undefined) {
        collected.forms = forms;
        return `${which} of`;
      }
      return `${which} of: ${forms.join('; or ')}`;
    }
    if (node.const !== undefined) return `exactly ${code(valueText(node.const))}`;
    if (Array.isArray(node.enum))
      return `${typeName(node)}, one of ${node.enum.map((value) => code(valueText(value))).join(', ')}`;
    if (hasKeys(node)) {
      collected.sections.push({ path, node });
      return `a map with the keys under ${code(path)}`;
    }
    const limits = constraints(node);
    const limited = (what: string) => (limits.length > 0 ? `${what} (${limits.join(', ')})` : what);
    if (node.type === 'object' && typeof node.additionalProperties === 'object') {
      const placeholder = keyPlaceholder(node);
      const keys = node.propertyNames ? ` (${phrase(node.propertyNames as Node, path, collected)})` : '';
      const value = phrase(node.additionalProperties as Node, `${path}.${placeholder}`, collected);
      return `${limited('a map')} from ${code(placeholder)}${keys} to ${value}`;
    }
    if (node.type === 'array' && typeof node.items === 'object') {
      return `${limited('a list')}, each ${phrase(node.items as Node, `${path}[]`, collected)}`;
    }
    const matching = typeof node.pattern === 'string' ? ` matching ${code(node.pattern)}` : '';
    return limited(`${typeName(node)}${matching}`);
  };

  /** One form of a choice, with its own description; a form with keys of its own gets a section. */
  const formPhrase = (variant: Node, path: string, collected: Collected): string => {
    let what: string;
    if (hasKeys(variant)) {
      const form = formName(variant);
      collected.sections.push({ path, node: variant, form });
      what = `a map with ${code(form)} (see ${code(path)}, as ${code(form)})`;
    } else what = phrase(variant, path, collected);
    return typeof variant.description === 'string' ? `${what}: ${prose(variant.description)}` : what;
  };

  writeSection({ path: '', node: schema });
  return `${blocks.join('\n\n')}\n`;
}

function hasKeys(node: Node): boolean {
  return typeof node.properties === 'object' && node.properties !== null;
}

/** Where a map's keys are written in a path: `<name>` for keys as `$defs/name` has them. */
function keyPlaceholder(map: Node): string {
  const ref = (map.propertyNames as Node | undefined)?.$ref;
  return typeof ref === 'string' ? `<${ref.slice(ref.lastIndexOf('/') + 1)}>` : '<key>';
}

/** `type: secret` for a form with a fixed (`const`) key; else its required keys, `url`. */
function formName(variant: Node): string {
  const properties = (variant.properties ?? {}) as Readonly<Record<string, Node>>;
  for (const [key, property] of Object.entries(properties)) {
    if (property.const !== undefined) return `${key}: ${valueText(property.const)}`;
  }
  const required = (variant.required as readonly string[] | undefined) ?? [];
  return (required.length > 0 ? required : Object.keys(properties)).join(', ');
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a map',
  array: 'a list',
  null: 'null',
};

function typeName(node: Node): string {
  const types = Array.isArray(node.type) ? node.type : node.type === undefined ? [] : [node.type];
  if (types.length === 0) return 'any value';
  return types.map((type) => TYPE_NAMES[String(type)] ?? String(type)).join(' or ');
}

/** The limits a node puts on its value's size or count, in words (its pattern is worded apart). */
function constraints(node: Node): string[] {
  const words: string[] = [];
  const count = (one: string, many: string) => (n: number) => `${n} ${n === 1 ? one : many}`;
  const range = (min: unknown, max: unknown, unit: (n: number) => string, from = ''): void => {
    if (typeof min === 'number' && typeof max === 'number') words.push(`${from}${min} to ${unit(max)}`);
    else if (typeof min === 'number') words.push(`at least ${unit(min)}`);
    else if (typeof max === 'number') words.push(`at most ${unit(max)}`);
  };
  range(node.minLength, node.maxLength, count('character', 'characters'));
  range(node.minimum, node.maximum, String, 'from ');
  range(node.minItems, node.maxItems, count('item', 'items'));
  range(node.minProperties, node.maxProperties, count('entry', 'entries'));
  if (node.uniqueItems === true) words.push('no item twice');
  return words;
}

/** Bullets for the keywords nothing here words, as JSON. */
function unworded(node: Node): string[] {
  return Object.entries(node)
    .filter(([keyword]) => !WORDED.has(keyword))
    .map(([keyword, value]) => `- ${code(keyword)}: ${code(JSON.stringify(value))}`);
}

/** A value as it is written in YAML: text as is, anything else as JSON (which YAML reads too). */
function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A code span that holds any text: its fence is longer than any run of backticks inside. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Description text as Markdown: `<name>` would read as an HTML tag. */
function prose(text: string): string {
  return text.replace(/[<>]/g, (mark) => `\\${mark}`);
}
