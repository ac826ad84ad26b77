// Client-side deadlines: one timer, listeners that can stop listening, and work that is given up
// at the deadline even when it never settles. Time is vitest's fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError } from '../../core/deadline.js';
import { meetDeadline, startDeadline, withDeadline } from '../../core/run/deadline-timer.js';

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('deadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls every listener once when the time is up, and none that stopped listening', () => {
    // arrange
    const deadline = startDeadline(20);
    const calls: string[] = [];
    deadline.onExpire(() => calls.push('a'));
    const stop = deadline.onExpire(() => calls.push('b'));
    deadline.onExpire(() => calls.push('c'));
    stop();

    // act
    vi.advanceTimersByTime(19);
    const early = { expired: deadline.expired, calls: [...calls] };
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(100);

    // assess
    expect(early).toEqual({ expired: false, calls: [] });
    expect(deadline.expired).toBe(true);
    expect(calls).toEqual(['a', 'c']);
  });

  it('is expired at once when no time is left, and never calls a listener added afterwards', () => {
    // arrange
    const deadline = startDeadline(0);
    const calls: string[] = [];

    // act
    deadline.onExpire(() => calls.push('late'));
    deadline.expire();

    // assess
    expect(deadline.expired).toBe(true);
    expect(calls).toEqual([]);
  });

  it('never expires once cancelled', () => {
    // arrange
    const deadline = startDeadline(20);
    const calls: string[] = [];
    deadline.onExpire(() => calls.push('a'));

    // act
    deadline.cancel();
    vi.advanceTimersByTime(1000);

    // assess
    expect(deadline.expired).toBe(false);
    expect(calls).toEqual([]);
  });

  it('gives up work that ignores the deadline at the deadline, with DeadlineExceededError', async () => {
    // arrange
    let error: unknown;
    void withDeadline(20, never).catch((caught: unknown) => {
      error = caught;
    });

    // act
    await vi.advanceTimersByTimeAsync(19);
    const early = error;
    await vi.advanceTimersByTimeAsync(1);

    // assess
    expect(early).toBeUndefined();
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as Error).message).toBe('deadline of 20ms exceeded');
  });

  it('settles as the work does when it finishes first, and stops listening', async () => {
    // arrange
    const deadline = startDeadline(10_000);
    let listening = 0;
    const counting = {
      get expired() {
        return deadline.expired;
      },
      onExpire(listener: () => void) {
        listening++;
        const stop = deadline.onExpire(listener);
        return () => {
          listening--;
          stop();
        };
      },
    };

    // act
    const value = await meetDeadline(counting, async () => 7);
    const error = await meetDeadline(counting, async () => {
      throw new Error('boom');
    }).catch((caught: unknown) => caught);
    deadline.cancel();

    // assess
    expect(value).toBe(7);
    expect((error as Error).message).toBe('boom');
    expect(listening).toBe(0);
  });

  it('does not start work when the deadline has already passed', async () => {
    // arrange
    const deadline = startDeadline(0);
    let started = false;

    // act
    const error = await meetDeadline(deadline, async () => {
      started = true;
    }).catch((caught: unknown) => caught);

    // assess
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(started).toBe(false);
  });
});
