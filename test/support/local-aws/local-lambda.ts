/**
 * Lambda's synchronous Invoke API (REST JSON: `POST /2015-03-31/functions/{name}/invocations`)
 * serving in-process handlers. A thrown error comes back as the service sends it: status 200,
 * `X-Amz-Function-Error: Unhandled` and `{ errorType, errorMessage }`; a response above 6 MiB as
 * `Function.ResponseSizeTooLarge`.
 */
import {
  type LocalReply,
  type LocalRequest,
  type LocalServer,
  sleep,
  startLocalServer,
} from './local-server.js';

export type LocalHandler = (event: unknown) => Promise<unknown>;

/** Faults one function shows on its next invocations, until cleared. */
export interface LambdaFault {
  /** the function throws this message */
  readonly error?: string;
  /** the function answers this late (beyond the client's timeout) */
  readonly delayMs?: number;
  /** the function returns a payload above 6 MiB */
  readonly oversized?: boolean;
  /** the function's answer is not JSON */
  readonly malformed?: boolean;
}

export interface Invocation {
  readonly functionName: string;
  readonly payload: unknown;
}

export interface LocalLambda extends LocalServer {
  /** every invocation received, in arrival order */
  readonly invocations: Invocation[];
  register(functionName: string, handler: LocalHandler): void;
  fault(functionName: string, fault: LambdaFault | undefined): void;
  /** the next `times` invocations of the function are refused with `TooManyRequestsException` (429), unrun */
  throttle(functionName: string, times: number): void;
}

const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const ROUTE = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?.*)?$/;

export async function startLocalLambda(): Promise<LocalLambda> {
  const handlers = new Map<string, LocalHandler>();
  const faults = new Map<string, LambdaFault>();
  const invocations: Invocation[] = [];
  const throttles = new Map<string, number>();

  async function handle(request: LocalRequest): Promise<LocalReply> {
    const match = request.method === 'POST' ? ROUTE.exec(request.path) : null;
    if (!match?.[1]) return serviceError(404, 'UnknownOperationException', `no route ${request.path}`);
    const functionName = decodeURIComponent(match[1]);
    const handler = handlers.get(functionName);
    if (!handler)
      return serviceError(404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
    if (
      request.headers['x-amz-invocation-type'] &&
      request.headers['x-amz-invocation-type'] !== 'RequestResponse'
    ) {
      return serviceError(400, 'InvalidParameterValueException', 'only RequestResponse is served here');
    }
    const throttled = throttles.get(functionName) ?? 0;
    if (throttled > 0) {
      throttles.set(functionName, throttled - 1);
      return serviceError(429, 'TooManyRequestsException', 'Rate Exceeded.');
    }
    let payload: unknown;
    try {
      payload = request.body.length === 0 ? {} : JSON.parse(request.body.toString('utf8'));
    } catch {
      return serviceError(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    invocations.push({ functionName, payload });
    const fault = faults.get(functionName);
    if (fault?.delayMs) await sleep(fault.delayMs);

    let body: string;
    try {
      if (fault?.error) throw new Error(fault.error);
      const result = await handler(payload);
      body = fault?.malformed ? '{"reports": [' : JSON.stringify(result ?? null);
      if (fault?.oversized) body = JSON.stringify({ padding: 'x'.repeat(MAX_PAYLOAD_BYTES + 1) });
    } catch (error) {
      return functionError(error instanceof Error ? error : new Error(String(error)));
    }
    const size = Buffer.byteLength(body);
    if (size > MAX_PAYLOAD_BYTES) {
      return functionError(
        Object.assign(
          new Error(
            `Response payload size (${size} bytes) exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
          ),
          { name: 'Function.ResponseSizeTooLarge' },
        ),
      );
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' },
      body,
    };
  }

  const server = await startLocalServer(handle, { maxBodyBytes: MAX_PAYLOAD_BYTES });
  return {
    ...server,
    invocations,
    register: (name, handler) => {
      handlers.set(name, handler);
    },
    fault: (name, fault) => {
      if (fault) faults.set(name, fault);
      else faults.delete(name);
    },
    throttle: (name, times) => {
      throttles.set(name, times);
    },
  };
}

function functionError(error: Error): LocalReply {
  return {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'x-amz-function-error': 'Unhandled',
      'x-amz-executed-version': '$LATEST',
    },
    body: JSON.stringify({ errorType: error.name, errorMessage: error.message, trace: [] }),
  };
}

function serviceError(status: number, code: string, message: string): LocalReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': code },
    body: JSON.stringify({ Type: 'User', message }),
  };
}
