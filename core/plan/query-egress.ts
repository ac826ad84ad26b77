/**
 * What the security group Chasm creates for a VPC's query function lets out: TCP to each distinct
 * port of the VPC's databases, on the VPC's `cidrBlocks`, or on any IPv4 address without them (the
 * databases' addresses are hostnames resolved at run time). A VPC that names its own
 * `securityGroupIds` gets no created group: their own rules apply.
 */
import type { DatabaseConfig, VpcConfig } from '../model.js';

/** The egress of the security group created for one VPC's query function. */
export interface QueryEgress {
  /** each distinct port of the databases, in the databases' order, with the databases behind it */
  readonly ports: readonly { readonly port: number; readonly databases: readonly string[] }[];
  /** the VPC's `cidrBlocks`; absent: any IPv4 address (`0.0.0.0/0`) */
  readonly cidrBlocks?: readonly string[];
}

/** The created group's egress for `vpc` serving `databases`; undefined when the VPC brings its own groups. */
export function queryEgress(vpc: VpcConfig, databases: readonly DatabaseConfig[]): QueryEgress | undefined {
  if (vpc.securityGroupIds && vpc.securityGroupIds.length > 0) return undefined;
  const byPort = new Map<number, string[]>();
  for (const database of databases) {
    // reached through the Data API, from outside any VPC
    if (database.dataApi !== undefined) continue;
    byPort.set(database.port, [...(byPort.get(database.port) ?? []), database.name]);
  }
  return {
    ports: [...byPort].map(([port, names]) => ({ port, databases: names })),
    ...(vpc.cidrBlocks && vpc.cidrBlocks.length > 0 ? { cidrBlocks: [...vpc.cidrBlocks] } : {}),
  };
}
