import type { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createLambdaClient,
  createLambdaInvoker,
  InvokeFailedError,
} from '../../adapters/invokers/lambda-invoker.js';
import type { Invoker, QueryResponse } from '../../core/ports.js';
import { useDummyCredentials } from '../support/local-aws/dummy-credentials.js';
import { type LocalLambda, startLocalLambda } from '../support/local-aws/local-lambda.js';

const RESPONSE: QueryResponse = {
  reports: [{ probe: 'p1', database: 'db', ok: true, rows: 1, durationMs: 1 }],
  metrics: [{ MetricName: 'M', Dimensions: [], Unit: 'Count', StorageResolution: 60, Value: 7 }],
};

describe('Lambda invoker against the local Invoke endpoint', () => {
  let lambda: LocalLambda;
  let client: LambdaClient;
  let invoker: Invoker;

  beforeAll(async () => {
    useDummyCredentials();
    lambda = await startLocalLambda();
    lambda.register('chasm-test-vpc-a', async () => RESPONSE);
    client = createLambdaClient({ endpoint: lambda.endpoint, region: 'eu-west-1' });
    invoker = createLambdaInvoker({ client, functionNames: { 'vpc-a': 'chasm-test-vpc-a' }, graceMs: 200 });
  });
  afterAll(async () => {
    client.destroy();
    await lambda.close();
  });
  afterEach(() => {
    lambda.fault('chasm-test-vpc-a', undefined);
    lambda.invocations.length = 0;
  });

  it('sends the request as the payload and returns the function response', async () => {
    const response = await invoker.invoke('vpc-a', { probes: ['p1'] }, { deadlineMs: 1000 });

    expect(response).toEqual(RESPONSE);
    expect(lambda.invocations).toEqual([{ functionName: 'chasm-test-vpc-a', payload: { probes: ['p1'] } }]);
  });

  it('rejects with the function error message when the function throws', async () => {
    lambda.fault('chasm-test-vpc-a', { error: 'pool exploded' });

    const result = invoker.invoke('vpc-a', { probes: ['p1'] }, { deadlineMs: 1000 });

    await expect(result).rejects.toThrow(InvokeFailedError);
    await expect(result).rejects.toThrow(/Unhandled.*pool exploded/);
  });

  it('gives up after the deadline plus grace and never sends the invocation twice', async () => {
    lambda.fault('chasm-test-vpc-a', { delayMs: 2000 });

    const result = invoker.invoke('vpc-a', { probes: ['p1'] }, { deadlineMs: 100 });

    await expect(result).rejects.toThrow(/no answer within 300 ms/);
    expect(lambda.invocations).toHaveLength(1);
  });

  it('retries throttling, which proves the function did not run', async () => {
    lambda.throttle('chasm-test-vpc-a', 2);

    const response = await invoker.invoke('vpc-a', { probes: ['p1'] }, { deadlineMs: 1000 });

    expect(response).toEqual(RESPONSE);
    expect(lambda.invocations).toHaveLength(1);
  });

  it('rejects a malformed response', async () => {
    lambda.fault('chasm-test-vpc-a', { malformed: true });

    await expect(invoker.invoke('vpc-a', { probes: ['p1'] }, { deadlineMs: 1000 })).rejects.toThrow(
      /malformed JSON/,
    );
  });

  it('rejects a response the service refused as larger than 6 MiB', async () => {
    lambda.fault('chasm-test-vpc-a', { oversized: true });

    await expect(invoker.invoke('vpc-a', { probes: ['p1'] }, { deadlineMs: 1000 })).rejects.toThrow(
      /Function\.ResponseSizeTooLarge/,
    );
  });

  it('rejects a response without reports and metrics', async () => {
    lambda.register('chasm-test-odd', async () => ({ hello: 'world' }));
    const odd = createLambdaInvoker({ client, functionNames: { odd: 'chasm-test-odd' } });

    await expect(odd.invoke('odd', { probes: [] }, { deadlineMs: 1000 })).rejects.toThrow(
      "'chasm-test-odd' answered with a malformed response: expected { reports: [...], metrics: [...] }",
    );
  });

  it('rejects a response whose metric data is not all metric datums, as the fan-out would', async () => {
    lambda.register('chasm-test-odd-datum', async () => ({
      ...RESPONSE,
      metrics: [...RESPONSE.metrics, { MetricName: 'M', Dimensions: [], Unit: 'Count', Value: 'NaN' }],
    }));
    const odd = createLambdaInvoker({ client, functionNames: { odd: 'chasm-test-odd-datum' } });

    const result = odd.invoke('odd', { probes: ['p1'] }, { deadlineMs: 1000 });

    await expect(result).rejects.toThrow(InvokeFailedError);
    await expect(result).rejects.toThrow(
      "'chasm-test-odd-datum' answered with a malformed response: metrics[1] is not a metric datum",
    );
  });

  it('rejects an unknown function id and a function the service does not know', async () => {
    const stray = createLambdaInvoker({ client, functionNames: { gone: 'chasm-test-gone' } });

    await expect(invoker.invoke('vpc-b', { probes: [] }, { deadlineMs: 1000 })).rejects.toThrow(
      /no deployed function/,
    );
    await expect(stray.invoke('gone', { probes: [] }, { deadlineMs: 1000 })).rejects.toThrow(
      /ResourceNotFoundException/,
    );
  });
});
