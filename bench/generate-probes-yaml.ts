/**
 * A large, valid `probes.yaml` text for benchmarks: `probes` probes spread over ten VPCs, one
 * VPC-less database, both engines, four schedules, static and column dimensions.
 */

const SCHEDULES = ['rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'cron(0 8 ? * MON-FRI *)'];
const VPCS = 10;
const DATABASES_PER_VPC = 2;

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

export function generateProbesYaml(probes: number): string {
  const lines = [
    'version: 1',
    'namespace: Bench/Generated',
    'schedule: rate(5 minutes)',
    'defaults:',
    '  timeout: 5s',
    '  maxSeries: 20',
    'vpcs:',
  ];
  for (let v = 0; v < VPCS; v++) {
    lines.push(
      `  vpc${v}:`,
      `    vpcId: vpc-${hex(v, 17)}`,
      `    subnetIds: [subnet-${hex(2 * v, 17)}, subnet-${hex(2 * v + 1, 17)}]`,
    );
  }
  lines.push('databases:');
  const databases: string[] = [];
  for (let v = 0; v <= VPCS; v++) {
    for (let d = 0; d < (v === VPCS ? 1 : DATABASES_PER_VPC); d++) {
      const name = v === VPCS ? 'public' : `db${v}x${d}`;
      const mysql = d % 2 === 1;
      databases.push(name);
      lines.push(
        `  ${name}:`,
        `    engine: ${mysql ? 'mysql' : 'postgres'}`,
        ...(v === VPCS ? [] : [`    vpc: vpc${v}`]),
        `    host: ${name}.cluster-abc.eu-west-1.rds.amazonaws.com`,
        '    database: app',
        '    user: metrics_reader',
        '    auth: { type: iam }',
      );
    }
  }
  lines.push('probes:');
  for (let p = 0; p < probes; p++) {
    lines.push(
      `  probe-${p}:`,
      `    database: ${databases[p % databases.length]}`,
      `    sql: SELECT region, count(*) AS n, avg(duration_s) AS avg_s FROM sessions_${p} GROUP BY region`,
      ...(p % 7 === 0 ? [`    schedule: ${SCHEDULES[p % SCHEDULES.length]}`] : []),
      '    dimensions:',
      '      Region: { column: region }',
      '      Env: prod',
      '    metrics:',
      `      - { name: Sessions${p}, column: n, unit: Count }`,
      `      - { name: AvgDuration${p}, column: avg_s, unit: Seconds }`,
    );
  }
  return `${lines.join('\n')}\n`;
}
