import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../../adapters/cdk/stack-contract.js';
import { EXIT } from '../../adapters/cli/cli-io.js';
import { main } from '../../adapters/cli/main.js';
import { CHECKS } from '../../adapters/doctor/doctor-findings.js';
import { ERROR_CODES, WARNING_CODES } from '../../core/probe-error.js';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The anchors GitHub gives a file's headings: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const outsideCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  for (const [, title = ''] of outsideCode.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = title
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

describe('docs/errors.md', () => {
  const text = read('docs/errors.md');

  it('has a section for every error and warning code', () => {
    // act
    const headings = [...text.matchAll(/^### `([A-Z_]+)`$/gm)].map((match) => match[1]);

    // assess
    expect(headings).toEqual([...ERROR_CODES, ...WARNING_CODES]);
  });

  it('lists every check of chasm doctor', () => {
    // act
    const rows = [...text.matchAll(/^\| `([A-Za-z]+)` +\|/gm)].map((match) => match[1]);

    // assess
    expect(rows).toEqual([...CHECKS]);
  });

  it('gives the exit statuses of every command chasm --help lists', async () => {
    // prepare
    let help = '';
    await main(['--help'], {
      stdout: { write: (chunk: string) => (help += chunk) },
      stderr: { write: () => true },
    });
    const commands = [...help.matchAll(/^ {2}chasm (\w+) /gm)].map((match) => match[1]);

    // act
    const table = text.slice(text.indexOf('## Exit statuses'), text.indexOf('## chasm doctor'));
    const header = /^\| command +\|(.*)\|$/m.exec(table)?.[1] ?? '';
    const rows = [...table.matchAll(/^\| `chasm (\w+)/gm)].map((match) => match[1]);

    // assess
    expect(commands.length).toBeGreaterThan(0);
    expect(rows).toEqual(commands);
    expect(header.split('|').map((cell) => Number(cell.trim()))).toEqual(
      [...new Set(Object.values(EXIT))].sort(),
    );
  });
});

describe('docs/deploying.md', () => {
  it('names every output the stack has, as chasm invoke and users read them', () => {
    // prepare
    const text = read('docs/deploying.md');

    // assess
    for (const output of Object.values(STACK_OUTPUTS)) expect(text).toContain(`\`${output}`);
  });
});

describe('the documentation', () => {
  it('links to files and headings that exist', () => {
    // prepare
    const files = [
      'README.md',
      'CHANGELOG.md',
      ...readdirSync(join(ROOT, 'docs'))
        .filter((file) => file.endsWith('.md'))
        .map((file) => join('docs', file)),
    ];

    // act
    const broken = files.flatMap((file) => {
      const text = read(file).replace(/^```[\s\S]*?^```/gm, '');
      return [...text.matchAll(/\]\(([^)\s]+)\)/g)].flatMap(([, target = '']) => {
        if (/^[a-z]+:/.test(target)) return [];
        const [path = '', anchor] = target.split('#');
        const linked = path === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), path);
        if (!existsSync(linked)) return [`${file}: ${target} (no such file)`];
        if (anchor === undefined || !linked.endsWith('.md')) return [];
        return anchorsOf(readFileSync(linked, 'utf8')).has(anchor)
          ? []
          : [`${file}: ${target} (no heading #${anchor} in ${relative(ROOT, linked)})`];
      });
    });

    // assess
    expect(broken).toEqual([]);
  });
});
