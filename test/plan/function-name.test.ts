import { describe, expect, it } from 'vitest';
import { functionName } from '../../core/plan/function-name.js';
import { buildPlan } from '../../core/plan/plan.js';
import { config, database, probe, vpc } from '../support/config-factory.js';

const LAMBDA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

describe('functionName', () => {
  it('joins the namespace and the id readably when they fit', () => {
    expect(functionName('Acme/Sessions', 'vpc-app')).toBe('chasm-acme-sessions-vpc-app');
  });

  it('depends only on the namespace and the id', () => {
    expect(functionName('Acme/Sessions', 'vpc-app')).toBe(functionName('Acme/Sessions', 'vpc-app'));
    expect(functionName('Acme/Sessions', 'vpc-app')).not.toBe(functionName('Acme/Orders', 'vpc-app'));
  });

  it('adds a hash when the id loses characters, so ids that differ only in case stay apart', () => {
    const upper = functionName('Acme/Sessions', 'vpc-App');
    const dotted = functionName('Acme/Sessions', 'vpc-a.pp');

    expect(upper).toMatch(/^chasm-acme-sessions-vpc-app-[0-9a-f]{8}$/);
    expect(new Set([upper, dotted, functionName('Acme/Sessions', 'vpc-app')]).size).toBe(3);
  });

  it('stays within 64 characters for long names and keeps long ids apart', () => {
    const namespace = 'Acme/Platform/Observability/Databases/Production/Sessions';
    const a = functionName(namespace, `vpc-${'x'.repeat(70)}-a`);
    const b = functionName(namespace, `vpc-${'x'.repeat(70)}-b`);

    expect(a).toMatch(LAMBDA_NAME);
    expect(b).toMatch(LAMBDA_NAME);
    expect(a).not.toBe(b);
    expect(a.startsWith('chasm-acme-pla')).toBe(true);
  });

  it('keeps the id readable when only the namespace is long', () => {
    const name = functionName('A'.repeat(255), 'vpc-app');

    expect(name).toMatch(LAMBDA_NAME);
    expect(name).toMatch(/-vpc-app-[0-9a-f]{8}$/);
  });
});

describe('function names in a plan', () => {
  it('are distinct and valid for VPC names that collide once shortened', () => {
    const long = 'analytics-warehouse-primary-region-eu-west-1-production';
    const vpcs = [`${long}-a`, `${long}-b`, 'App', 'app'];
    const plan = buildPlan(
      config({
        namespace: 'Acme/Data/Warehouse',
        vpcs: vpcs.map((name) => vpc(name)),
        databases: vpcs.map((name) => database({ name: `db-${name}`, vpc: name })),
        probes: vpcs.map((name) => probe({ name: `p-${name}`, database: `db-${name}` })),
      }),
    );
    const names = [...plan.functions.map((fn) => fn.functionName), plan.fanoutFunctionName];

    expect(new Set(names).size).toBe(5);
    for (const name of names) expect(name).toMatch(LAMBDA_NAME);
  });
});
