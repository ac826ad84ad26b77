/**
 * EventBridge Scheduler expressions: `rate(value unit)` and `cron(minutes hours day-of-month month
 * day-of-week year)`, checked and counted in ticks per 30-day month (what the cost model bills).
 *
 * Counting a cron expression is an estimate over an average year: each field's values are counted,
 * days come from the months they fall in (29 February a quarter of the time), `L` and `W` in the
 * day of month and `L` and `#` in the day of week fire once per matching month (a fifth weekday
 * `#5` in about a third of them). The year field is checked but not counted: the estimate is for
 * a month in which the schedule runs.
 */

export type ScheduleParse = { readonly ticksPerMonth: number } | { readonly error: string };

const MINUTES_PER_MONTH = 30 * 24 * 60;
const DAYS_PER_YEAR = 365.25;
/** average length of each month; February counts its leap day a quarter of the time */
const MONTH_DAYS = [31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

const RATE_UNITS: ReadonlyMap<string, { readonly minutes: number; readonly singular: string }> = new Map([
  ['minute', { minutes: 1, singular: 'minute' }],
  ['minutes', { minutes: 1, singular: 'minute' }],
  ['hour', { minutes: 60, singular: 'hour' }],
  ['hours', { minutes: 60, singular: 'hour' }],
  ['day', { minutes: 1440, singular: 'day' }],
  ['days', { minutes: 1440, singular: 'day' }],
]);

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * Parses a schedule expression and counts its ticks in a 30-day month.
 *
 * @example
 * parseSchedule('rate(5 minutes)'); // { ticksPerMonth: 8640 }
 * parseSchedule('cron(0 8 ? * MON-FRI *)'); // { ticksPerMonth: 21.43 (≈ 30 × 5/7) }
 * parseSchedule('rate(1 minutes)'); // { error: "rate unit must be 'minute' when the value is 1" }
 */
export function parseSchedule(expression: string): ScheduleParse {
  const text = expression.trim();
  const rate = /^rate\((.*)\)$/s.exec(text);
  if (rate) return parseRate(rate[1] ?? '');
  const cron = /^cron\((.*)\)$/s.exec(text);
  if (cron) return parseCron(cron[1] ?? '');
  return { error: `schedule must be rate(value unit) or cron(fields), got '${expression}'` };
}

function parseRate(body: string): ScheduleParse {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 2)
    return { error: `rate(...) takes a value and a unit, e.g. rate(5 minutes), got rate(${body})` };
  const [valueText = '', unit = ''] = parts;
  if (!/^[1-9][0-9]*$/.test(valueText)) {
    return { error: `rate value must be a positive whole number, got '${valueText}'` };
  }
  const value = Number(valueText);
  const known = RATE_UNITS.get(unit);
  if (!known) return { error: `rate unit must be minute(s), hour(s) or day(s), got '${unit}'` };
  // AWS requires the singular for 1 and the plural otherwise
  if (value === 1 && unit !== known.singular) {
    return { error: `rate unit must be '${known.singular}' when the value is 1` };
  }
  if (value !== 1 && unit === known.singular) {
    return { error: `rate unit must be '${known.singular}s' when the value is not 1` };
  }
  return { ticksPerMonth: MINUTES_PER_MONTH / (value * known.minutes) };
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** ranges may wrap around (FRI-MON, NOV-FEB) */
  readonly wraps?: boolean;
}

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTH_NAMES, wraps: true },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: DAY_NAMES, wraps: true },
  year: { name: 'year', min: 1970, max: 2199 },
} as const satisfies Record<string, FieldSpec>;

class CronError extends Error {}

function parseCron(body: string): ScheduleParse {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return {
      error: `cron(...) takes six fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    };
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields;
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return { error: "cron day-of-month or day-of-week must be '?' (exactly one of them)" };
  }
  try {
    const minuteCount = valuesOf(minutes, FIELDS.minutes).size;
    const hourCount = valuesOf(hours, FIELDS.hours).size;
    const months = valuesOf(month, FIELDS.month);
    valuesOf(year, FIELDS.year);
    const daysPerYear =
      dayOfWeek === '?' ? dayOfMonthDays(dayOfMonth, months) : dayOfWeekDays(dayOfWeek, months);
    const ticksPerMonth = (minuteCount * hourCount * daysPerYear * 30) / DAYS_PER_YEAR;
    if (ticksPerMonth === 0) return { error: `cron(${body}) never fires` };
    return { ticksPerMonth };
  } catch (error) {
    if (error instanceof CronError) return { error: error.message };
    throw error;
  }
}

/** The days a day-of-month field fires on in a year, over the given months. */
function dayOfMonthDays(field: string, months: ReadonlySet<number>): number {
  if (field.includes(',') && /[LW]/.test(field)) {
    throw new CronError(`cron day-of-month '${field}' cannot combine L or W with a list`);
  }
  let days = 0;
  for (const item of field.split(',')) {
    // L: last day; LW: last weekday; NW: the weekday nearest N; each once per month
    if (item === 'L' || item === 'LW') {
      days += months.size;
      continue;
    }
    const weekday = /^([0-9]+)W$/.exec(item);
    if (weekday) {
      const day = number(weekday[1] ?? '', FIELDS.dayOfMonth);
      days += [...months].filter((m) => day <= (MONTH_DAYS[m - 1] ?? 0)).length;
      continue;
    }
    for (const day of valuesOf(item, FIELDS.dayOfMonth)) {
      for (const m of months) days += Math.min(1, Math.max(0, (MONTH_DAYS[m - 1] ?? 0) - day + 1));
    }
  }
  return days;
}

/** The days a day-of-week field fires on in a year, over the given months. */
function dayOfWeekDays(field: string, months: ReadonlySet<number>): number {
  const monthDays = [...months].reduce((sum, m) => sum + (MONTH_DAYS[m - 1] ?? 0), 0);
  if (field.includes(',') && /[L#]/.test(field)) {
    throw new CronError(`cron day-of-week '${field}' cannot combine L or # with a list`);
  }
  // NL: the last N-day of the month, once per month
  const last = /^([0-9A-Z]+)L$/i.exec(field);
  if (last) {
    number(last[1] ?? '', FIELDS.dayOfWeek);
    return months.size;
  }
  // L alone: the last day of the week, Saturday
  if (field === 'L') return monthDays / 7;
  // N#k: the k-th N-day of the month; a fifth one exists only in months longer than 28 days, sometimes
  const nth = /^([0-9A-Z]+)#([0-9]+)$/i.exec(field);
  if (nth) {
    number(nth[1] ?? '', FIELDS.dayOfWeek);
    const k = Number(nth[2]);
    if (!Number.isInteger(k) || k < 1 || k > 5) {
      throw new CronError(`cron day-of-week '${field}': the occurrence after # must be 1 to 5`);
    }
    if (k < 5) return months.size;
    return [...months].reduce((sum, m) => sum + ((MONTH_DAYS[m - 1] ?? 0) - 28) / 7, 0);
  }
  return (monthDays * valuesOf(field, FIELDS.dayOfWeek).size) / 7;
}

/** The set of values a field selects: `*`, `a`, `a-b`, `*\/n`, `a/n`, `a-b/n`, lists of these. */
function valuesOf(field: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    if (item === '') throw new CronError(`cron ${spec.name} '${field}' has an empty list item`);
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) throw new CronError(`cron ${spec.name} '${item}' has more than one '/'`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!/^[0-9]+$/.test(stepText ?? '1') || step < 1) {
      throw new CronError(`cron ${spec.name} step must be a positive whole number, got '${stepText}'`);
    }
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range.includes('-')) {
      const [a = '', b = '', more] = range.split('-');
      if (more !== undefined) throw new CronError(`cron ${spec.name} range '${range}' is malformed`);
      from = number(a, spec);
      to = number(b, spec);
      if (to < from && !spec.wraps) {
        throw new CronError(`cron ${spec.name} range '${range}' runs backwards`);
      }
      if (to < from) to += spec.max - spec.min + 1;
    } else {
      from = number(range, spec);
      // a/n means from a to the end, every n
      to = stepText === undefined ? from : spec.max;
    }
    const span = spec.max - spec.min + 1;
    for (let v = from; v <= to; v += step) values.add(((v - spec.min) % span) + spec.min);
  }
  return values;
}

function number(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^[0-9]+$/.test(text)) {
    throw new CronError(`cron ${spec.name} value '${text}' is not a number${spec.names ? ' or a name' : ''}`);
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new CronError(`cron ${spec.name} value ${value} is outside ${spec.min}-${spec.max}`);
  }
  return value;
}
