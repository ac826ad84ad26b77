/**
 * Public list prices the cost model uses, in USD, as of 2025, in region us-east-1 (`PRICES_REGION`).
 * Other regions charge differently for some lines (NAT Gateways cost more in most, eu-west-1
 * included), so `chasm plan` names the region it priced. Free tiers (Lambda's 1M requests and 400,000 GB-s, CloudWatch's 10
 * metrics, 10 alarm metrics and 1M API requests, Scheduler's 14M invocations, Logs' 5 GB) are NOT counted: a free
 * tier is shared by the whole account, so a plan cannot claim it.
 */

/** the region whose list prices these are */
export const PRICES_REGION = 'us-east-1';

/** hours in a month for hourly prices (AWS's own convention: 730) */
export const HOURS_PER_MONTH = 730;

/** Lambda, arm64, per GB-second of compute (first 7.5 billion GB-s/month); aws.amazon.com/lambda/pricing */
export const LAMBDA_ARM64_USD_PER_GB_SECOND = 0.0000133334;
/** Lambda requests: USD 0.20 per 1M; aws.amazon.com/lambda/pricing */
export const LAMBDA_USD_PER_REQUEST = 0.2 / 1_000_000;

/** CloudWatch custom metric, per metric-month (first 10,000 metrics); aws.amazon.com/cloudwatch/pricing */
export const CLOUDWATCH_USD_PER_METRIC_MONTH = 0.3;
/**
 * CloudWatch alarm at standard resolution (a period of a minute or more, as every alarm Chasm
 * makes), per alarm metric-month: a metric alarm watches one metric, a Metrics Insights query
 * alarm is billed for each metric its query analyses; aws.amazon.com/cloudwatch/pricing (Alarms)
 */
export const CLOUDWATCH_USD_PER_ALARM_METRIC_MONTH = 0.1;
/** PutMetricData: USD 0.01 per 1,000 requests; aws.amazon.com/cloudwatch/pricing */
export const PUT_METRIC_DATA_USD_PER_REQUEST = 0.01 / 1000;
/** CloudWatch Logs ingestion (standard class), per GB; aws.amazon.com/cloudwatch/pricing */
export const CLOUDWATCH_LOGS_USD_PER_GB = 0.5;

/** EventBridge Scheduler: USD 1.00 per 1M invocations (after the 14M free); aws.amazon.com/eventbridge/pricing */
export const SCHEDULER_USD_PER_INVOCATION = 1 / 1_000_000;

/**
 * RDS Data API: USD 0.35 per 1M requests (the first billion a month; a request's payload counts
 * once per 32 KB); aws.amazon.com/rds/aurora/pricing
 */
export const RDS_DATA_API_USD_PER_REQUEST = 0.35 / 1_000_000;

/** NAT Gateway, per hour per gateway (one per AZ); aws.amazon.com/vpc/pricing */
export const NAT_GATEWAY_USD_PER_HOUR = 0.045;
/** NAT Gateway, per GB processed; aws.amazon.com/vpc/pricing */
export const NAT_GATEWAY_USD_PER_GB = 0.045;
/** public IPv4 address (each NAT Gateway's Elastic IP), per hour, since February 2024; aws.amazon.com/vpc/pricing */
export const PUBLIC_IPV4_USD_PER_HOUR = 0.005;

export const BYTES_PER_GB = 1024 ** 3;
