// What a health pack promises in its header comment (the grants its probes need, its series and
// monthly cost), and running a pack as a given login, for the packs' integration tests.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../adapters/config-loader.js';
import { runProbesLocally } from '../../adapters/local-run.js';
import { createCollectingSink } from '../../adapters/sinks/collecting-sink.js';
import type { NamespacedDatum } from '../../core/metric-data.js';
import type { Config } from '../../core/model.js';
import type { FanoutOutcome } from '../../core/run/fan-out.js';

/** The user name the packs' headers and local urls use. */
export const PACK_USER = 'chasm_health';

export interface PackHeader {
  /** the GRANT statements of the header's `Grants:` paragraph, for {@link PACK_USER} */
  readonly grants: readonly string[];
  /** "N billed series at most" */
  readonly series: number;
  /** "USD X a month at most" */
  readonly monthlyUsd: string;
}

/** Reads the leading comment of a pack; throws when a promise is missing from it. */
export function readPackHeader(file: string): PackHeader {
  const header: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('#')) break;
    header.push(line.replace(/^#\s?/, ''));
  }
  // the Grants: paragraph runs to the first empty comment line
  const start = header.findIndex((line) => line.startsWith('Grants:'));
  const end = header.indexOf('', start);
  const grants = header
    .slice(start, end)
    .map((line) => /^\s+(GRANT\s.+?;)/.exec(line)?.[1])
    .filter((grant): grant is string => grant !== undefined);
  const text = header.join('\n');
  const series = /(\d+) billed series at most/.exec(text)?.[1];
  const monthlyUsd = /USD (\d+\.\d\d) a month at most/.exec(text)?.[1];
  if (start < 0 || grants.length === 0 || !series || !monthlyUsd) {
    throw new Error(`${file}: the header must list its GRANT statements, billed series and monthly cost`);
  }
  return { grants, series: Number(series), monthlyUsd };
}

/** The pack's config with every database's local block pointing at `url`. */
export function packConfigAt(file: string, url: string): Config {
  const config = loadConfig(file);
  const databases = Object.fromEntries(
    Object.entries(config.databases).map(([name, database]) => [name, { ...database, local: { url } }]),
  );
  return { ...config, databases };
}

/** Runs every probe of `config` once, as `chasm run` does, keeping the metric data. */
export async function runPack(config: Config): Promise<FanoutOutcome> {
  return runProbesLocally(config, Object.keys(config.probes), { sink: createCollectingSink() });
}

/** A datum's metric name and dimensions: one billed series each. */
export function seriesKey(datum: NamespacedDatum): string {
  return [datum.MetricName, ...datum.Dimensions.map((d) => `${d.Name}=${d.Value}`)].join(' ');
}

/** The single value of the datum with this name (and dimension, when given); throws when there is none. */
export function datumValue(
  metrics: readonly NamespacedDatum[],
  name: string,
  dimension?: { readonly Name: string; readonly Value: string },
): number {
  const datum = metrics.find(
    (d) =>
      d.MetricName === name &&
      (dimension === undefined ||
        d.Dimensions.some((dim) => dim.Name === dimension.Name && dim.Value === dimension.Value)),
  );
  if (datum?.Value === undefined)
    throw new Error(`no single-valued datum ${name} ${JSON.stringify(dimension)}`);
  return datum.Value;
}
