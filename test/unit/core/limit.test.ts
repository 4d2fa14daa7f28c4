// The concurrency and start-rate limiter, with small real timings: the assertions are counts, orders and lower
// bounds on gaps (a loaded machine only widens them), never an upper bound on a duration.
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../../lib/core/limit';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tracker() {
  let active = 0;
  let peak = 0;
  const starts: number[] = [];
  const task =
    <T>(ms: number, value: T) =>
    async () => {
      starts.push(performance.now());
      active++;
      peak = Math.max(peak, active);
      await sleep(ms);
      active--;
      return value;
    };
  return { task, starts, peak: () => peak };
}

describe('createLimiter', () => {
  it('never runs more than concurrency tasks at once', async () => {
    const limit = createLimiter({ concurrency: 3, ratePerSecond: 1000 });
    const t = tracker();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => limit(t.task(5 + (i % 3) * 3, i))));
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(t.peak()).toBe(3);
  });

  it('hands a finished slot to a waiter, never to a newcomer arriving at the same moment', async () => {
    const limit = createLimiter({ concurrency: 2, ratePerSecond: 1000 });
    let active = 0;
    let peak = 0;
    let ran = 0;
    const run = (id: number, atEnd: () => void = () => {}): Promise<number> =>
      limit(async () => {
        active++;
        ran++;
        peak = Math.max(peak, active);
        await sleep(5);
        active--;
        atEnd();
        return id;
      });
    const late: Array<Promise<number>> = [];
    // Newcomers arrive just before each running task returns, and again just after it resolves.
    const first = [1, 2].map((id) => run(id, () => late.push(run(10 + id))).then((v) => (late.push(run(20 + id)), v)));
    const waiting = [3, 4].map((id) => run(id));
    await Promise.all([...first, ...waiting]);
    await Promise.all(late);
    expect(ran).toBe(8);
    expect(peak).toBe(2);
  });

  it('keeps the cap when a task fails, and passes the failure on', async () => {
    const limit = createLimiter({ concurrency: 1, ratePerSecond: 1000 });
    const t = tracker();
    const failing = limit(async () => {
      throw new Error('boom');
    });
    const after = [limit(t.task(2, 'a')), limit(t.task(2, 'b'))];
    await expect(failing).rejects.toThrow('boom');
    expect(await Promise.all(after)).toEqual(['a', 'b']);
    expect(t.peak()).toBe(1);
  });

  /** The most starts in any window of `ms` milliseconds (1 ms timer slack). */
  const busiestWindow = (starts: number[], ms: number) =>
    Math.max(...starts.map((s) => starts.filter((t) => t >= s && t < s + ms - 1).length));

  it('lets a burst up to the rate start at once, then holds the rest for the window', async () => {
    const limit = createLimiter({ concurrency: 10, ratePerSecond: 3, windowMs: 100 });
    const t = tracker();
    const all = Promise.all(Array.from({ length: 7 }, (_, i) => limit(t.task(1, i))));
    // The burst started within the calls themselves, before any timer could fire.
    expect(t.starts).toHaveLength(3);
    await all;
    expect((t.starts[3] ?? 0) - (t.starts[0] ?? 0)).toBeGreaterThanOrEqual(98);
    expect((t.starts[6] ?? 0) - (t.starts[0] ?? 0)).toBeGreaterThanOrEqual(198);
    expect(busiestWindow(t.starts, 100)).toBeLessThanOrEqual(3);
  });

  it('never exceeds the rate in any window, even after the event loop was blocked', async () => {
    const limit = createLimiter({ concurrency: 10, ratePerSecond: 2, windowMs: 50 });
    const t = tracker();
    const all = Promise.all(Array.from({ length: 6 }, (_, i) => limit(t.task(1, i))));
    // A synchronous stall (a big JSON.parse, a GC pause) longer than the window.
    const until = performance.now() + 70;
    while (performance.now() < until) {
      // busy
    }
    await all;
    expect(busiestWindow(t.starts, 50)).toBeLessThanOrEqual(2);
  });

  it('starts the first task at once', async () => {
    const limit = createLimiter({ concurrency: 1, ratePerSecond: 1 });
    let started = false;
    const done = limit(async () => {
      started = true;
    });
    // Started within the call: no timer, no turn of the event loop in between.
    expect(started).toBe(true);
    await done;
  });

  it('keeps the rate for tasks that waited for a slot too', async () => {
    const limit = createLimiter({ concurrency: 2, ratePerSecond: 3, windowMs: 60 });
    const t = tracker();
    await Promise.all(Array.from({ length: 7 }, (_, i) => limit(t.task(2, i))));
    expect(busiestWindow(t.starts, 60)).toBeLessThanOrEqual(3);
    expect(t.peak()).toBeLessThanOrEqual(2);
  });
});
