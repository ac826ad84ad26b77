/**
 * A Data API result as rows, with values as the connecting engines return them, so a probe maps
 * the same on either path: BIGINT and DECIMAL as strings (asked for as strings, so no precision is
 * lost in JSON), other integers and floating-point numbers as numbers, PostgreSQL booleans as
 * booleans and MySQL's as 1 or 0, dates and timestamps as `Date`s (UTC, as Lambda's clock runs).
 * The column types are JDBC's codes (`java.sql.Types`), which the Data API reports for every engine.
 */
import type { ArrayValue, ColumnMetadata, Field } from '@aws-sdk/client-rds-data';
import type { Row } from '../../core/ports.js';
import { assertDistinctColumns } from './result-columns.js';

/** `java.sql.Types` codes the conversion tells apart */
const JDBC = {
  BIT: -7,
  TINYINT: -6,
  BIGINT: -5,
  NUMERIC: 2,
  DECIMAL: 3,
  INTEGER: 4,
  SMALLINT: 5,
  BOOLEAN: 16,
  DATE: 91,
  TIMESTAMP: 93,
  TIMESTAMP_WITH_TIMEZONE: 2014,
} as const;

const SMALL_INTEGERS: ReadonlySet<number> = new Set([JDBC.TINYINT, JDBC.SMALLINT, JDBC.INTEGER]);
const EXACT_AS_TEXT: ReadonlySet<number> = new Set([JDBC.BIGINT, JDBC.NUMERIC, JDBC.DECIMAL]);
const TIMESTAMPS: ReadonlySet<number> = new Set([JDBC.DATE, JDBC.TIMESTAMP, JDBC.TIMESTAMP_WITH_TIMEZONE]);

/** Which engine's conventions the values follow. */
export type RecordsFlavour = 'postgres' | 'mysql';

/**
 * The rows of an ExecuteStatement response (`includeResultMetadata`, `longReturnType: STRING`,
 * `decimalReturnType: STRING`); a result whose columns share a name is refused.
 */
export function rowsOf(
  columns: readonly ColumnMetadata[] | undefined,
  records: readonly (readonly Field[])[] | undefined,
  flavour: RecordsFlavour,
): Row[] {
  const names = (columns ?? []).map((column, index) => column.label || column.name || `?column?${index + 1}`);
  assertDistinctColumns(names);
  const types = (columns ?? []).map((column) => column.type);
  return (records ?? []).map((fields) => {
    const row: Record<string, unknown> = {};
    fields.forEach((field, index) => {
      row[names[index] ?? `?column?${index + 1}`] = fieldValue(field, types[index], flavour);
    });
    return row;
  });
}

function fieldValue(field: Field, type: number | undefined, flavour: RecordsFlavour): unknown {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return textValue(field.stringValue, type);
  if (field.longValue !== undefined) {
    return type !== undefined && EXACT_AS_TEXT.has(type) ? String(field.longValue) : field.longValue;
  }
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) {
    // mysql2 returns BOOLEAN (TINYINT(1)) as 1 or 0
    return flavour === 'mysql' ? (field.booleanValue ? 1 : 0) : field.booleanValue;
  }
  if (field.blobValue !== undefined) return field.blobValue;
  if (field.arrayValue !== undefined) return arrayOf(field.arrayValue);
  return null;
}

function textValue(text: string, type: number | undefined): unknown {
  if (type === undefined) return text;
  // asked for as text so BIGINT stays exact; the smaller ones fit a number, as drivers return them
  if (SMALL_INTEGERS.has(type)) return Number(text);
  if (TIMESTAMPS.has(type)) return timestampOf(text);
  return text;
}

/** `2024-05-01 12:30:00[.123][+00[:00]]` or `2024-05-01`, read as UTC unless it says its offset; unreadable text stays text */
function timestampOf(text: string): Date | string {
  const iso = text.includes(' ') ? text.replace(' ', 'T') : `${text}T00:00:00`;
  const offset = /([+-]\d{2}):?(\d{2})?$/.exec(iso.slice(19));
  const zoned = offset
    ? `${iso.slice(0, 19 + offset.index)}${offset[1]}:${offset[2] ?? '00'}`
    : iso.endsWith('Z')
      ? iso
      : `${iso}Z`;
  const date = new Date(zoned);
  return Number.isNaN(date.getTime()) ? text : date;
}

function arrayOf(value: ArrayValue): unknown[] {
  if (value.stringValues) return [...value.stringValues];
  if (value.longValues) return [...value.longValues];
  if (value.doubleValues) return [...value.doubleValues];
  if (value.booleanValues) return [...value.booleanValues];
  if (value.arrayValues) return value.arrayValues.map((item) => (item ? arrayOf(item) : null));
  return [];
}
