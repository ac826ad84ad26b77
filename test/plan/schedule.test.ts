import { describe, expect, it } from 'vitest';
import { parseSchedule } from '../../core/plan/schedule.js';

function ticks(expression: string): number {
  const parsed = parseSchedule(expression);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.ticksPerMonth;
}

function error(expression: string): string {
  const parsed = parseSchedule(expression);
  if (!('error' in parsed)) throw new Error(`'${expression}' parsed: ${parsed.ticksPerMonth}`);
  return parsed.error;
}

describe('rate expressions', () => {
  it.each([
    ['rate(1 minute)', 43_200],
    ['rate(5 minutes)', 8640],
    ['rate(1 hour)', 720],
    ['rate(6 hours)', 120],
    ['rate(1 day)', 30],
    ['rate(3 days)', 10],
  ])('%s ticks %d times in a 30-day month', (expression, expected) => {
    expect(ticks(expression)).toBe(expected);
  });

  it('requires the singular unit for a value of 1', () => {
    expect(error('rate(1 minutes)')).toBe("rate unit must be 'minute' when the value is 1");
  });

  it('requires the plural unit for other values', () => {
    expect(error('rate(5 minute)')).toBe("rate unit must be 'minutes' when the value is not 1");
  });

  it.each([
    ['rate(0 minutes)', 'positive whole number'],
    ['rate(-5 minutes)', 'positive whole number'],
    ['rate(1.5 hours)', 'positive whole number'],
    ['rate(5 seconds)', "got 'seconds'"],
    ['rate(1 toString)', "got 'toString'"],
    ['rate(5 constructor)', "got 'constructor'"],
    ['rate(5)', 'a value and a unit'],
    ['rate()', 'a value and a unit'],
  ])('rejects %s', (expression, message) => {
    expect(error(expression)).toContain(message);
  });
});

describe('cron expressions', () => {
  it.each([
    ['cron(* * * * ? *)', 43_200],
    ['cron(0/5 * * * ? *)', 8640],
    ['cron(*/15 * * * ? *)', 2880],
    ['cron(0 * * * ? *)', 720],
    ['cron(0,30 8-17 * * ? *)', 2 * 10 * 30],
    ['cron(0 12 ? * * *)', 30],
    ['cron(15 10 ? * 6L 2025-2030)', (12 * 30) / 365.25],
    ['cron(0 8 ? * MON#1 *)', (12 * 30) / 365.25],
    ['cron(0 0 L * ? *)', (12 * 30) / 365.25],
    ['cron(0 0 15W * ? *)', (12 * 30) / 365.25],
  ])('%s ticks about %d times in a 30-day month', (expression, expected) => {
    expect(ticks(expression)).toBeCloseTo(expected, 6);
  });

  it('counts weekdays as five sevenths of the days', () => {
    expect(ticks('cron(0 8 ? * MON-FRI *)')).toBeCloseTo((30 * 5) / 7, 6);
    expect(ticks('cron(0 8 ? * 2-6 *)')).toBeCloseTo((30 * 5) / 7, 6);
  });

  it('accepts ranges of day names that wrap around the week', () => {
    expect(ticks('cron(0 8 ? * FRI-MON *)')).toBeCloseTo((30 * 4) / 7, 6);
  });

  it('counts days of month by the months that have them', () => {
    // the 31st exists in 7 months of 12
    expect(ticks('cron(0 0 31 * ? *)')).toBeCloseTo((7 * 30) / 365.25, 6);
    // the 1st of January and July
    expect(ticks('cron(0 0 1 JAN,JUL ? *)')).toBeCloseTo((2 * 30) / 365.25, 6);
  });

  it.each([
    ['cron(0 8 * * MON *)', 'exactly one of them'],
    ['cron(0 8 ? * ? *)', 'exactly one of them'],
    ['cron(0 8 * * ?)', 'six fields'],
    ['cron(60 8 * * ? *)', 'minutes value 60 is outside 0-59'],
    ['cron(0 24 * * ? *)', 'hours value 24 is outside 0-23'],
    ['cron(0 8 0 * ? *)', 'day-of-month value 0 is outside 1-31'],
    ['cron(0 8 * 13 ? *)', 'month value 13 is outside 1-12'],
    ['cron(0 8 ? * 8 *)', 'day-of-week value 8 is outside 1-7'],
    ['cron(0 8 ? * FUN *)', "day-of-week value 'FUN' is not a number or a name"],
    ['cron(0 8 * * ? 1900)', 'year value 1900 is outside 1970-2199'],
    ['cron(30-10 8 * * ? *)', "range '30-10' runs backwards"],
    ['cron(0/0 8 * * ? *)', 'step must be a positive whole number'],
    ['cron(0 8 ? * MON#6 *)', 'must be 1 to 5'],
    ['cron(0 8 L,1 * ? *)', 'cannot combine L or W with a list'],
    ['cron(0 0 30 FEB ? *)', 'never fires'],
    ['cron(0 ? * * ? *)', "hours value '?' is not a number"],
  ])('rejects %s', (expression, message) => {
    expect(error(expression)).toContain(message);
  });
});

it('rejects what is neither rate nor cron', () => {
  expect(error('every 5 minutes')).toBe(
    "schedule must be rate(value unit) or cron(fields), got 'every 5 minutes'",
  );
});

it('counts a fifth weekday only in the months long enough to have one', () => {
  // 365.25 days hold 52.18 Mondays; 48 of them are a first to fourth Monday
  expect(ticks('cron(0 8 ? * MON#5 *)')).toBeCloseTo(((365.25 - 12 * 28) / 7) * (30 / 365.25), 6);
});

it('answers any text with ticks or an error, never by throwing', () => {
  const alphabet = ['0', '5', '12', '*', '?', '/', '-', ',', 'L', 'W', '#', 'MON', 'JAN', ' ', 'x', '60'];
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < 2000; i++) {
    const fields = Array.from({ length: 6 }, () =>
      Array.from({ length: 1 + (next() % 3) }, () => alphabet[next() % alphabet.length]).join(''),
    );
    const parsed = parseSchedule(`cron(${fields.join(' ')})`);

    if ('error' in parsed) expect(parsed.error.length).toBeGreaterThan(0);
    else expect(parsed.ticksPerMonth).toBeGreaterThan(0);
  }
});
