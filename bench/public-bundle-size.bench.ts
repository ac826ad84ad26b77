/**
 * The public (fan-out) function's bundle, built as the CDK app builds it (minified ESM, split
 * chunks), against a bare handler that only creates a Lambda and a CloudWatch client, bundled the
 * same way in the same run: bytes loaded at cold start and cold import time (a fresh Node process
 * each, median of several).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  BUNDLE_ENTRY_FILE,
  bundleHandler,
  defaultHandlerEntries,
  type HandlerBundle,
} from '../adapters/cdk/handler-bundler.js';
import { loadConfig } from '../adapters/config-loader.js';
import { fanoutManifest } from '../core/plan/build-manifests.js';
import { buildPlan } from '../core/plan/plan.js';
import type { Benchmark } from './benchmark.js';
import { coldImportMs, importOf, loadedFiles, median } from './bundle-measure.js';

const WORK_DIR = resolve('.bench-out', 'public-bundle');
// a single import takes tens of milliseconds and wobbles with the machine: enough runs to steady the median
const IMPORT_RUNS = 21;

const BARE_ENTRY = `// the least a public function needs: a Lambda client and a CloudWatch client
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
const lambda = new LambdaClient({});
const cloudwatch = new CloudWatchClient({});
export async function handler(event) {
  await lambda.send(new InvokeCommand({ FunctionName: event.name }));
  await cloudwatch.send(new PutMetricDataCommand({ Namespace: event.namespace, MetricData: [] }));
}
`;

interface Built {
  readonly entry: string;
  /** bytes of the entry and every chunk it imports statically (what a cold start loads) */
  readonly bytes: number;
}

let built: Promise<{ fanout: Built; bare: Built; manifest: string }> | undefined;

function buildBoth(): Promise<{ fanout: Built; bare: Built; manifest: string }> {
  built ??= Promise.resolve().then(() => {
    mkdirSync(WORK_DIR, { recursive: true });
    // the bare entry lives in the repository so that it resolves the same node_modules
    const bareEntry = join(WORK_DIR, 'bare-public-handler.mjs');
    writeFileSync(bareEntry, BARE_ENTRY);
    const manifest = join(WORK_DIR, 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify(fanoutManifest(buildPlan(loadConfig('examples/multi-vpc/probes.yaml')))),
    );
    return {
      fanout: measure(bundleHandler(defaultHandlerEntries().fanout)),
      bare: measure(bundleHandler(bareEntry)),
      manifest,
    };
  });
  return built;
}

function measure(bundle: HandlerBundle): Built {
  const entry = join(bundle.dir, BUNDLE_ENTRY_FILE);
  return { entry, bytes: loadedFiles(bundle, [entry]).bytes };
}

/** one cold import in a fresh process: the time `import()` of the bundle takes, in ms */
function importMs(entry: string, manifest: string): number {
  return coldImportMs(`await ${importOf(entry)};`, {
    ...process.env,
    CHASM_MANIFEST_PATH: manifest,
    AWS_REGION: 'eu-west-1',
  });
}

export const publicBundleBytes: Benchmark = {
  name: 'public bundle, minified bytes',
  budget: { maxRatio: 1.1 },
  async run() {
    const { fanout, bare } = await buildBoth();
    return {
      measured: fanout.bytes,
      baseline: bare.bytes,
      unit: 'bytes',
      note: 'fan-out handler vs a bare client-lambda + client-cloudwatch handler, same esbuild options (Secrets Manager is a lazy chunk)',
    };
  },
};

export const publicBundleImport: Benchmark = {
  name: 'public bundle, cold import',
  budget: { maxRatio: 1.1 },
  async run() {
    const { fanout, bare, manifest } = await buildBoth();
    // interleaved, so both see the same machine load
    const fanoutTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let i = 0; i < IMPORT_RUNS; i++) {
      bareTimes.push(importMs(bare.entry, manifest));
      fanoutTimes.push(importMs(fanout.entry, manifest));
    }
    return {
      measured: median(fanoutTimes),
      baseline: median(bareTimes),
      unit: 'ms',
      note: `median of ${IMPORT_RUNS} fresh processes each; the fan-out handler reads its manifest and creates its clients at import, as the bare one creates its two clients`,
    };
  },
};
