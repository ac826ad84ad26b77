/**
 * `chasm/cdk`: the constructs that deploy a `probes.yaml`, for a CDK app of your own.
 *
 * @example
 * import { App } from 'aws-cdk-lib';
 * import { loadConfig } from 'chasm';
 * import { ProbesStack } from 'chasm/cdk';
 *
 * new ProbesStack(new App(), 'Probes', { config: loadConfig('probes.yaml') });
 */
export type { FanoutFunction } from './adapters/cdk/fanout-function.js';
export type { HandlerEntries } from './adapters/cdk/handler-bundler.js';
export type { DeployedSchedule } from './adapters/cdk/probe-schedules.js';
export { Probes, type ProbesProps } from './adapters/cdk/probes.js';
export { ProbesStack, type ProbesStackProps } from './adapters/cdk/probes-stack.js';
export type { QueryLambda } from './adapters/cdk/query-lambda.js';
