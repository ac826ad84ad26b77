// The quickstart example (examples/quickstart/probes.yaml), as the loader produces it.
import type { Config } from '../../core/model.js';
import { config, database, metric, probe, vpc } from '../support/config-factory.js';

export function quickstart(): Config {
  return config({
    vpcs: [vpc('app', { vpcId: 'vpc-0abc1234def567890' })],
    databases: [database({ name: 'sessions', vpc: 'app' })],
    probes: [
      probe({
        name: 'active-sessions',
        database: 'sessions',
        metrics: [metric({ name: 'ActiveSessions', column: 'active' })],
      }),
    ],
  });
}
