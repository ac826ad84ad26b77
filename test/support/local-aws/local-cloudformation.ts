/**
 * CloudFormation's DescribeStacks (AWS Query: a form-encoded POST, an XML answer) over stacks a
 * test declares with their outputs. A stack it does not hold is refused as CloudFormation does:
 * HTTP 400, `ValidationError`, "Stack with id NAME does not exist".
 */
import { type LocalReply, type LocalRequest, type LocalServer, startLocalServer } from './local-server.js';

/** One DescribeStacks call as received. */
export interface DescribeStacksCall {
  readonly stackName: string;
  /** the region and access key of the request's SigV4 credential scope */
  readonly region: string;
  readonly accessKeyId: string;
}

export interface LocalCloudFormation extends LocalServer {
  readonly calls: DescribeStacksCall[];
  /** declares (or replaces) a deployed stack and its outputs */
  putStack(name: string, outputs: Readonly<Record<string, string>>): void;
}

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export async function startLocalCloudFormation(): Promise<LocalCloudFormation> {
  const stacks = new Map<string, Readonly<Record<string, string>>>();
  const calls: DescribeStacksCall[] = [];

  async function handle(request: LocalRequest): Promise<LocalReply> {
    const form = new URLSearchParams(request.body.toString('utf8'));
    if (form.get('Action') !== 'DescribeStacks') {
      return error(400, 'InvalidAction', `unsupported action ${form.get('Action')}`);
    }
    const stackName = form.get('StackName') ?? '';
    const scope = /Credential=([^/]+)\/[^/]+\/([^/]+)\//.exec(String(request.headers.authorization));
    calls.push({ stackName, accessKeyId: scope?.[1] ?? '', region: scope?.[2] ?? '' });
    const outputs = stacks.get(stackName);
    if (!outputs) return error(400, 'ValidationError', `Stack with id ${stackName} does not exist`);
    const members = Object.entries(outputs)
      .map(
        ([key, value]) =>
          `<member><OutputKey>${xmlText(key)}</OutputKey><OutputValue>${xmlText(value)}</OutputValue></member>`,
      )
      .join('');
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body:
        `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks><member>` +
        `<StackName>${xmlText(stackName)}</StackName>` +
        `<StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/${xmlText(stackName)}/1</StackId>` +
        '<CreationTime>2025-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus>' +
        `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
        '<ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></DescribeStacksResponse>',
    };
  }

  const server = await startLocalServer(handle, { maxBodyBytes: 64 * 1024 });
  return { ...server, calls, putStack: (name, outputs) => stacks.set(name, outputs) };
}

function error(status: number, code: string, message: string): LocalReply {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlText(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`,
  };
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
