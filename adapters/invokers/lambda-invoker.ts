/**
 * An `Invoker` over Lambda's synchronous Invoke API (`@aws-sdk/client-lambda`, RequestResponse).
 *
 * Retries: an invocation that timed out on the client may still be running, so it is never sent
 * again (that would run the same probes twice, concurrently). Only errors that prove the function
 * did not run are retried: throttling (`TooManyRequestsException`, 429), with backoff.
 */
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { causeOf, namedCauseOf } from '../../core/error-cause.js';
import { LAMBDA } from '../../core/limits.js';
import type { Invoker, QueryRequest, QueryResponse } from '../../core/ports.js';
import { parseQueryResponse } from '../../core/run/query-response.js';

/** An invocation that produced no usable response; the fan-out reports its probes `INVOKE_FAILED`. */
export class InvokeFailedError extends Error {
  override readonly name = 'InvokeFailedError';
}

export interface LambdaClientOptions {
  /** e.g. a local endpoint in tests; absent: `AWS_ENDPOINT_URL_LAMBDA` or the regional one */
  readonly endpoint?: string;
  readonly region?: string;
  /** a profile of the shared AWS config files, for credentials and region; absent: the default chain */
  readonly profile?: string;
  /**
   * attempts for a throttled invocation, the first included
   * @default 3
   */
  readonly maxThrottledAttempts?: number;
}

const THROTTLE_BASE_DELAY_MS = 200;

/** A Lambda client whose retry strategy retries throttling only (see the module comment). */
export function createLambdaClient(options: LambdaClientOptions = {}): LambdaClient {
  const maxAttempts = Math.max(1, options.maxThrottledAttempts ?? 3);
  return new LambdaClient({
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    maxAttempts,
    retryStrategy: throttlingOnlyRetries(maxAttempts),
    requestHandler: { connectionTimeout: 3_000 },
  });
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

// the SDK's RetryStrategyV2 shape: refusing to refresh the token ends the attempts with the error
function throttlingOnlyRetries(maxAttempts: number) {
  const token = (count: number, delay: number): RetryToken => ({
    getRetryCount: () => count,
    getRetryDelay: () => delay,
  });
  return {
    acquireInitialRetryToken: async (_scope: string): Promise<RetryToken> => token(0, 0),
    refreshRetryTokenForRetry: async (
      previous: RetryToken,
      info: { errorType: string; error?: unknown; retryAfterHint?: Date },
    ): Promise<RetryToken> => {
      const count = previous.getRetryCount() + 1;
      if (info.errorType !== 'THROTTLING' || count >= maxAttempts) throw info.error;
      const backoff = THROTTLE_BASE_DELAY_MS * 2 ** (count - 1);
      return token(count, backoff / 2 + Math.random() * (backoff / 2));
    },
    recordSuccess: (_token: RetryToken): void => {},
  };
}

export interface LambdaInvokerOptions {
  readonly client: LambdaClient;
  /** the deployed function name of each function id (`FunctionPlan.id` → `functionName`) */
  readonly functionNames: Readonly<Record<string, string>>;
  /**
   * how much longer than `deadlineMs` the client waits for the answer (network, cold start)
   * @default 5000
   */
  readonly graceMs?: number;
}

export function createLambdaInvoker(options: LambdaInvokerOptions): Invoker {
  const { client, functionNames } = options;
  const graceMs = options.graceMs ?? 5_000;
  return {
    async invoke(functionId: string, request: QueryRequest, { deadlineMs }): Promise<QueryResponse> {
      const name = functionNames[functionId];
      if (!name) throw new InvokeFailedError(`no deployed function for '${functionId}'`);
      return queryResponse(name, await invokeJson(client, name, request, deadlineMs + graceMs));
    },
  };
}

/**
 * Invokes `name` synchronously with `payload` as JSON and returns its parsed answer. Throws an
 * {@link InvokeFailedError} when it cannot be invoked, gives no answer within `timeoutMs`, fails
 * (`FunctionError`), or answers with more than 6 MiB or with something that is not JSON.
 */
export async function invokeJson(
  client: LambdaClient,
  name: string,
  payload: unknown,
  timeoutMs: number,
): Promise<unknown> {
  let output: InvokeCommandOutput;
  try {
    output = await client.send(
      new InvokeCommand({
        FunctionName: name,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
  } catch (error) {
    // never the request itself in a message: it may carry credentials
    const reason = isTimeout(error) ? `no answer within ${timeoutMs} ms` : namedCauseOf(error);
    throw new InvokeFailedError(`invoking '${name}' failed: ${reason}`, { cause: error });
  }
  const answer = output.Payload ?? new Uint8Array();
  if (answer.length > LAMBDA.maxPayloadBytes) {
    throw new InvokeFailedError(`'${name}' answered ${answer.length} bytes, above Lambda's 6 MiB`);
  }
  const text = new TextDecoder().decode(answer);
  if (output.FunctionError) {
    throw new InvokeFailedError(`'${name}' failed (${output.FunctionError}): ${functionErrorText(text)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InvokeFailedError(`'${name}' answered with malformed JSON (${text.length} characters)`);
  }
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function functionErrorText(text: string): string {
  try {
    const body = JSON.parse(text) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof body.errorMessage === 'string') {
      return typeof body.errorType === 'string'
        ? `${body.errorType}: ${body.errorMessage}`
        : body.errorMessage;
    }
  } catch {
    // not JSON: fall through to the raw text, cut short
  }
  return text.slice(0, 500);
}

/** The answer as a response, checked as the fan-out checks every response. */
function queryResponse(name: string, body: unknown): QueryResponse {
  try {
    return parseQueryResponse(body);
  } catch (error) {
    throw new InvokeFailedError(`'${name}' answered with a ${causeOf(error)}`, { cause: error });
  }
}
