// IAM policy pieces as the synthesized templates must hold them, written out independently of the stack.

/**
 * The ARN of an `rds-db:connect` resource (`dbuser:…`) in the stack's partition, region and
 * account; `region`: the stack's when the config names one, else the deploy-time region.
 */
export function rdsConnectArn(resource: string, region?: string) {
  const regionParts =
    region === undefined ? [':rds-db:', { Ref: 'AWS::Region' }, ':'] : [`:rds-db:${region}:`];
  return {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ...regionParts, { Ref: 'AWS::AccountId' }, `:${resource}`],
    ],
  };
}

/** what a function in a VPC needs to manage its network interfaces */
export const ENI_STATEMENT = {
  Action: [
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DescribeSubnets',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
  ],
  Effect: 'Allow',
  Resource: '*',
};
