/**
 * What is known of a deployed `ProbesStack` outside the CDK app: its default name and its output
 * keys, which `chasm invoke` reads to find the fan-out function and a user reads after deploying.
 * Kept apart from the stack so reading them loads no CDK.
 */
export const STACK_OUTPUTS = {
  fanoutFunctionName: 'FanoutFunctionName',
  /** further dashboards get `DashboardUrl2`, `DashboardUrl3`, … */
  dashboardUrl: 'DashboardUrl',
  /** `SecurityGroup<vpc name>` per VPC whose security group Chasm creates */
  securityGroupPrefix: 'SecurityGroup',
} as const;

/** `Chasm-<namespace>`, in CloudFormation's stack name characters, at most 128 of them */
export function defaultStackName(namespace: string): string {
  const slug = namespace
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `Chasm-${slug || 'Probes'}`.slice(0, 128);
}
