/**
 * The CloudWatch period that matches a schedule: the time between two ticks (30 days / ticks per
 * month), rounded up to whole minutes, between one minute and one day (the longest alarm period
 * CloudWatch allows). A run publishes once per tick, so each period holds one run's data.
 */
const MONTH_SECONDS = 30 * 24 * 60 * 60;
const MIN_PERIOD_SECONDS = 60;
const MAX_PERIOD_SECONDS = 24 * 60 * 60;

export function schedulePeriodSeconds(ticksPerMonth: number): number {
  if (!(ticksPerMonth > 0)) return MAX_PERIOD_SECONDS;
  const seconds = Math.ceil(MONTH_SECONDS / ticksPerMonth / 60) * 60;
  return Math.min(MAX_PERIOD_SECONDS, Math.max(MIN_PERIOD_SECONDS, seconds));
}
