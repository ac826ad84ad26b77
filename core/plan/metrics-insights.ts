/**
 * CloudWatch Metrics Insights query text, for alarms over series whose dimension values only the
 * data knows. Every namespace, metric and dimension name is written in double quotes and every
 * dimension value in single quotes, so no name can read as a keyword; a quote or backslash inside
 * one is escaped with a backslash (the query language's rule for quotes).
 *
 * @example
 * metricsInsightsQuery({ fn: 'MAX', namespace: 'Acme/Shop', metric: 'Orders',
 *   schema: ['Env', 'Region'], where: { Env: 'prod' }, groupBy: ['Region'], order: 'DESC' });
 * // SELECT MAX("Orders") FROM SCHEMA("Acme/Shop", "Env", "Region") WHERE "Env" = 'prod'
 * //   GROUP BY "Region" ORDER BY MAX() DESC
 */
import type { AlarmStatistic } from '../model.js';

export type InsightsFunction = 'AVG' | 'MIN' | 'MAX' | 'SUM' | 'COUNT';

/** The Metrics Insights function that computes an alarm statistic. */
export const INSIGHTS_FUNCTIONS: Readonly<Record<AlarmStatistic, InsightsFunction>> = {
  Average: 'AVG',
  Minimum: 'MIN',
  Maximum: 'MAX',
  Sum: 'SUM',
  SampleCount: 'COUNT',
};

export interface InsightsQuery {
  readonly fn: InsightsFunction;
  readonly namespace: string;
  readonly metric: string;
  /** every dimension name the metric's series carry: SCHEMA matches exactly this set */
  readonly schema: readonly string[];
  /** dimensions whose value is fixed */
  readonly where: Readonly<Record<string, string>>;
  /** dimensions whose values tell the series apart: one time series (a contributor) per combination */
  readonly groupBy: readonly string[];
  /** series sorted by `fn()`, so the 500 a query returns are those nearest to alarming */
  readonly order: 'ASC' | 'DESC';
}

export function metricsInsightsQuery(query: InsightsQuery): string {
  const source = [query.namespace, ...query.schema].map(identifier).join(', ');
  const where = Object.entries(query.where).map(([name, value]) => `${identifier(name)} = ${literal(value)}`);
  return [
    `SELECT ${query.fn}(${identifier(query.metric)}) FROM SCHEMA(${source})`,
    ...(where.length > 0 ? [`WHERE ${where.join(' AND ')}`] : []),
    `GROUP BY ${query.groupBy.map(identifier).join(', ')}`,
    `ORDER BY ${query.fn}() ${query.order}`,
  ].join(' ');
}

function identifier(name: string): string {
  return `"${escaped(name)}"`;
}

function literal(value: string): string {
  return `'${escaped(value)}'`;
}

function escaped(text: string): string {
  return text.replace(/[\\"']/g, (character) => `\\${character}`);
}
