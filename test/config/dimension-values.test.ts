import { describe, expect, it } from 'vitest';
import { ENGINE_SYNTAX } from '../../adapters/config-loader.js';
import { parseConfigText } from '../../config/read-config.js';

/** a config whose probe has the static dimension `Place: <value>` (a YAML scalar as written) */
function withDimension(value: string): string {
  return `version: 1
namespace: Acme/Places
databases:
  pg: { engine: postgres, host: h, database: d, user: u, auth: { type: iam } }
probes:
  p:
    database: pg
    sql: SELECT 1 AS n
    dimensions:
      Place: ${value}
    metrics:
      - { name: M, column: n, unit: Count, dimensions: { Zone: ${value} } }
`;
}

function messages(text: string): string[] {
  const result = parseConfigText(text, 'probes.yaml', { engines: ENGINE_SYNTAX });
  return result.ok ? [] : result.errors.map((error) => `${error.line}:${error.column} ${error.message}`);
}

describe('a static dimension value', () => {
  it.each([
    ['a word', 'prod'],
    ['spaces around other characters', "' eu west '"],
    ['every printable ASCII character', JSON.stringify(' !"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~')],
    ['1024 characters', 'x'.repeat(1024)],
  ])('is accepted when it is %s', (_, value) => {
    // act
    const found = messages(withDimension(value));

    // assess
    expect(found).toEqual([]);
  });

  it.each([
    [
      'a letter outside ASCII',
      'Zürich',
      "has 'ü' (U+00FC) in 'Zürich'; CloudWatch accepts printable ASCII only",
    ],
    [
      'a control character',
      '"a\\tb"',
      "has the control character U+0009 in 'a\\u0009b'; CloudWatch accepts printable ASCII only",
    ],
    [
      'a DEL character',
      '"a\\x7fb"',
      "has the control character U+007F in 'a\\u007Fb'; CloudWatch accepts printable ASCII only",
    ],
    ['only spaces', "'   '", 'is only spaces; CloudWatch needs at least one other character'],
    ['empty', "''", 'must not be empty'],
    ['1025 characters', 'x'.repeat(1025), 'is 1025 characters long; CloudWatch allows at most 1024'],
  ])('is refused at the value, probe and metric alike, when it is %s', (_, value, message) => {
    // act
    const found = messages(withDimension(value));

    // assess
    expect(found).toEqual([`10:14 dimension 'Place' ${message}`, `12:64 dimension 'Zone' ${message}`]);
  });
});
