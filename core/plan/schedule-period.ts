/**
 * The CloudWatch period that matches a schedule: the time between two ticks (30 days / ticks per
 * month), rounded up to whole minutes, between one minute and one day (the longest period an alarm
 * on a period under a day may span). A run publishes once per tick, so each period holds one run's
 * data; a cron whose ticks are unevenly spaced leaves some periods empty and others with two runs.
 */
import { parseSchedule } from './schedule.js';

const MONTH_SECONDS = 30 * 24 * 60 * 60;
const MIN_PERIOD_SECONDS = 60;
const MAX_PERIOD_SECONDS = 24 * 60 * 60;

export function schedulePeriodSeconds(ticksPerMonth: number): number {
  if (!(ticksPerMonth > 0)) return MAX_PERIOD_SECONDS;
  const seconds = Math.ceil(MONTH_SECONDS / ticksPerMonth / 60) * 60;
  return Math.min(MAX_PERIOD_SECONDS, Math.max(MIN_PERIOD_SECONDS, seconds));
}

/** The period of a schedule expression; a day for one that does not parse (validation refuses it). */
export function expressionPeriodSeconds(expression: string): number {
  const parsed = parseSchedule(expression);
  return schedulePeriodSeconds('error' in parsed ? 0 : parsed.ticksPerMonth);
}

/** A period in words: `5 minutes`, `1 hour`, `90 minutes`. */
export function describePeriod(seconds: number): string {
  const [value, unit] =
    seconds % 86_400 === 0
      ? [seconds / 86_400, 'day']
      : seconds % 3_600 === 0
        ? [seconds / 3_600, 'hour']
        : seconds % 60 === 0
          ? [seconds / 60, 'minute']
          : [seconds, 'second'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}
