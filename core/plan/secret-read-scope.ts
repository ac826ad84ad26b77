/**
 * What the fan-out function's role must name to read the configured secrets.
 *
 * Secrets Manager appends `-` and six random characters to a secret's name in its ARN, and a
 * policy must name that full ARN (or match it). A `secretArn` written without the suffix is
 * granted as `NAME-??????`. One that ends like a suffix (`-` and six letters or digits) may be
 * either a full ARN or a name that happens to end so (`shop/metrics-reader`): it is granted both
 * ways, exactly and as `NAME-??????`, so neither reading is denied at run time.
 *
 * A secret encrypted with a customer managed key (`kmsKeyArn`) also needs `kms:Decrypt` on that
 * key, allowed only through Secrets Manager in the key's region (`kms:ViaService`).
 */
import type { Config } from '../model.js';

const SECRET_NAME_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** One `kms:Decrypt` grant: keys of one region, used through that region's Secrets Manager only. */
export interface KmsDecryptScope {
  /** `secretsmanager.<region>.amazonaws.com` (`.com.cn` in China) */
  readonly viaService: string;
  readonly keyArns: readonly string[];
}

export interface SecretReadScope {
  /** resources of `secretsmanager:GetSecretValue`, sorted */
  readonly secretResources: readonly string[];
  /** sorted by service */
  readonly kmsDecrypt: readonly KmsDecryptScope[];
}

/** The resources a policy names to read the secret written as `secretArn`. */
export function secretResources(secretArn: string): string[] {
  const name = secretArn.slice(secretArn.indexOf(':secret:') + ':secret:'.length);
  const anySuffix = `${secretArn}-??????`;
  return SECRET_NAME_SUFFIX.test(name) ? [secretArn, anySuffix] : [anySuffix];
}

/** The Secrets Manager endpoint, as `kms:ViaService` names it, of the region of an ARN. */
export function secretsManagerViaService(arn: string): string {
  const [, partition, , region] = arn.split(':');
  return `secretsmanager.${region}.amazonaws.com${partition === 'aws-cn' ? '.cn' : ''}`;
}

/** What reading every `auth: secret` database's secret takes; empty lists when there are none. */
export function secretReadScope(config: Config): SecretReadScope {
  const resources = new Set<string>();
  const keysByService = new Map<string, Set<string>>();
  for (const database of Object.values(config.databases)) {
    if (database.auth.type !== 'secret') continue;
    for (const resource of secretResources(database.auth.secretArn)) resources.add(resource);
    const key = database.auth.kmsKeyArn;
    if (key === undefined) continue;
    const service = secretsManagerViaService(key);
    keysByService.set(service, (keysByService.get(service) ?? new Set()).add(key));
  }
  return {
    secretResources: [...resources].sort(),
    kmsDecrypt: [...keysByService]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([viaService, keys]) => ({ viaService, keyArns: [...keys].sort() })),
  };
}
