import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../adapters/config-loader.js';
import { exampleFiles, EXAMPLES_DIR as examples } from '../support/example-files.js';

const files = exampleFiles();

describe('examples', () => {
  it('include the six documented ones', () => {
    // assess
    const names = files.map((file) => file.split(/[\\/]/).at(-2));
    expect(names).toEqual(
      expect.arrayContaining(['quickstart', 'rds-postgres-iam', 'mysql', 'multi-vpc', 'emf', 'fleet']),
    );
  });

  it('include the health packs', () => {
    // assess
    expect(files).toEqual(
      expect.arrayContaining([
        join(examples, 'packs', 'postgres-health.yaml'),
        join(examples, 'packs', 'mysql-health.yaml'),
      ]),
    );
  });

  it('fleet runs its probes on a fleet by default, one of them with parameters, one on a single database', () => {
    // act
    const result = readConfig(join(examples, 'fleet', 'probes.yaml'));

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    const { probes } = result.config;
    expect(probes['open-orders']?.database).toEqual(['orders-eu', 'orders-us']);
    expect(probes['orders-by-status']?.parameters).toHaveLength(3);
    expect(probes['eu-refunds']?.database).toBe('orders-eu');
  });

  it.each(files)('%s validates', (file) => {
    // act
    const result = readConfig(file);

    // assess
    expect(result.ok ? [] : result.errors.map((error) => error.format())).toEqual([]);
  });

  it('multi-vpc has three VPCs, both engines, a VPC-less database and alarms', () => {
    // act
    const result = readConfig(join(examples, 'multi-vpc', 'probes.yaml'));

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    const { vpcs, databases, alarms } = result.config;
    expect(Object.keys(vpcs)).toHaveLength(3);
    expect(new Set(Object.values(databases).map((db) => db.engine))).toEqual(new Set(['postgres', 'mysql']));
    expect(Object.values(databases).some((db) => db.vpc === undefined)).toBe(true);
    expect(alarms?.topicArn).toMatch(/^arn:aws:sns:/);
  });

  it('emf publishes with EMF and uses IAM auth only', () => {
    // act
    const result = readConfig(join(examples, 'emf', 'probes.yaml'));

    // assess
    if (!result.ok) throw new Error(result.errors.map((error) => error.format()).join('\n'));
    expect(result.config.publish).toBe('emf');
    expect(Object.values(result.config.databases).map((db) => db.auth.type)).toEqual(['iam']);
  });
});
