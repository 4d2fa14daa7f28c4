// The mass-removal hold: a short answer under HTTP 200 looks like an upstream glitch.
import { describe, expect, it } from 'vitest';
import { decideHold, holdConfirmed, isMassRemoval } from '../../../lib/sync/hold';
import type { RemovalHold } from '../../../lib/store/items';

const T0 = '2026-11-23T10:00:00.000Z';
const T1 = '2026-11-23T10:01:00.000Z';
const T2 = '2026-11-23T10:02:00.000Z';
const T3 = '2026-11-23T10:03:00.000Z';
const SIX = ['zilliz:aws-us-east-1', 'zilliz:aws-us-east-2', 'zilliz:aws-us-west-2', 'zilliz:aws-eu-west-1', 'zilliz:aws-eu-west-2', 'zilliz:aws-ap-east-1'];

describe('isMassRemoval', () => {
  it('does not count removing exactly half', () => {
    expect(isMassRemoval(4, 2)).toBe(false);
    expect(isMassRemoval(12, 6)).toBe(false);
  });

  it('counts removing more than half', () => {
    expect(isMassRemoval(4, 3)).toBe(true);
    expect(isMassRemoval(11, 6)).toBe(true);
    expect(isMassRemoval(1, 1)).toBe(true);
  });

  it('does not count removing nothing, even from an empty scope', () => {
    expect(isMassRemoval(0, 0)).toBe(false);
    expect(isMassRemoval(10, 0)).toBe(false);
  });
});

describe('decideHold', () => {
  it('commits a removal of half the regions at once, with no hold', () => {
    const decision = decideHold({ previousCount: 12, removedKeys: SIX, hold: undefined, passes: 3, minutes: 0, now: T0 });
    expect(decision).toEqual({ commit: [...SIX].sort(), hold: undefined, started: false });
  });

  it('holds a removal of more than half and reports the hold started', () => {
    const decision = decideHold({ previousCount: 10, removedKeys: SIX, hold: undefined, passes: 3, minutes: 0, now: T0 });
    expect(decision).toEqual({ commit: [], hold: { regionIds: [...SIX].sort(), passes: 1, since: T0, passesNeeded: 3, confirmsAfter: T0 }, started: true });
  });

  it('counts consecutive passes of the same set and commits at the configured number', () => {
    const first = decideHold({ previousCount: 10, removedKeys: SIX, hold: undefined, passes: 3, minutes: 0, now: T0 });
    // The same set, listed in another order by the next answer.
    const second = decideHold({ previousCount: 10, removedKeys: [...SIX].reverse(), hold: first.hold, passes: 3, minutes: 0, now: T1 });
    expect(second).toEqual({ commit: [], hold: { regionIds: [...SIX].sort(), passes: 2, since: T0, passesNeeded: 3, confirmsAfter: T0 }, started: false });
    const third = decideHold({ previousCount: 10, removedKeys: SIX, hold: second.hold, passes: 3, minutes: 0, now: T2 });
    expect(third).toEqual({ commit: [...SIX].sort(), hold: undefined, started: false });
  });

  it('restarts the count and reports started when the set differs', () => {
    const hold: RemovalHold = { regionIds: [...SIX].sort(), passes: 2, since: T0 };
    const seven = [...SIX, 'zilliz:aws-ap-northeast-1'];
    const decision = decideHold({ previousCount: 10, removedKeys: seven, hold, passes: 3, minutes: 0, now: T3 });
    expect(decision).toEqual({ commit: [], hold: { regionIds: [...seven].sort(), passes: 1, since: T3, passesNeeded: 3, confirmsAfter: T3 }, started: true });
  });

  it('restarts when a set of the same size has different members', () => {
    const hold: RemovalHold = { regionIds: [...SIX].sort(), passes: 2, since: T0 };
    const other = [...SIX.slice(1), 'zilliz:aws-ap-southeast-2'];
    const decision = decideHold({ previousCount: 10, removedKeys: other, hold, passes: 3, minutes: 0, now: T3 });
    expect(decision.commit).toEqual([]);
    expect(decision.hold).toEqual({ regionIds: [...other].sort(), passes: 1, since: T3, passesNeeded: 3, confirmsAfter: T3 });
    expect(decision.started).toBe(true);
  });

  it('clears the hold with nothing to commit when the regions come back', () => {
    const hold: RemovalHold = { regionIds: [...SIX].sort(), passes: 2, since: T0 };
    expect(decideHold({ previousCount: 10, removedKeys: [], hold, passes: 3, minutes: 0, now: T1 })).toEqual({ commit: [], hold: undefined, started: false });
  });

  it('commits immediately when passes is 1', () => {
    expect(decideHold({ previousCount: 10, removedKeys: SIX, hold: undefined, passes: 1, minutes: 0, now: T0 })).toEqual({
      commit: [...SIX].sort(),
      hold: undefined,
      started: false,
    });
  });

  it('returns the committed ids sorted', () => {
    expect(decideHold({ previousCount: 10, removedKeys: ['zilliz:b', 'zilliz:a'], hold: undefined, passes: 3, minutes: 0, now: T0 }).commit).toEqual(['zilliz:a', 'zilliz:b']);
  });
});

describe('the hold waits for time as well as passes (REMOVAL_HOLD_MINUTES)', () => {
  const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

  it('three quick passes within 24 seconds confirm nothing', () => {
    let hold: RemovalHold | undefined;
    for (const s of [0, 12, 24]) {
      const d = decideHold({ previousCount: 13, removedKeys: SIX.concat(['zilliz:x1']), hold, passes: 3, minutes: 30, now: at(s) });
      expect(d.commit).toEqual([]);
      hold = d.hold;
    }
    expect(hold).toMatchObject({ passes: 3, since: T0, passesNeeded: 3, confirmsAfter: at(30 * 60) });
  });

  it('confirms at the first pass that has both enough passes and enough time', () => {
    let hold: RemovalHold | undefined;
    const ids = [...SIX, 'zilliz:x1'];
    // A one-minute schedule: passes 1..30 hold, the 31st (30 minutes after the first) confirms.
    for (let minute = 0; minute < 30; minute++) {
      const d = decideHold({ previousCount: 13, removedKeys: ids, hold, passes: 3, minutes: 30, now: at(minute * 60) });
      expect(d.commit, `minute ${minute}`).toEqual([]);
      hold = d.hold;
    }
    const last = decideHold({ previousCount: 13, removedKeys: ids, hold, passes: 3, minutes: 30, now: at(30 * 60) });
    expect(last).toEqual({ commit: [...ids].sort(), hold: undefined, started: false });
  });

  it('still needs the passes when the time has long gone by', () => {
    const first = decideHold({ previousCount: 10, removedKeys: SIX, hold: undefined, passes: 3, minutes: 30, now: T0 });
    const second = decideHold({ previousCount: 10, removedKeys: SIX, hold: first.hold, passes: 3, minutes: 30, now: at(5 * 3600) });
    expect(second.commit).toEqual([]);
    expect(second.hold?.passes).toBe(2);
    const third = decideHold({ previousCount: 10, removedKeys: SIX, hold: second.hold, passes: 3, minutes: 30, now: at(5 * 3600 + 60) });
    expect(third.commit).toEqual([...SIX].sort());
  });

  it('restarts the clock when the set of removals changes', () => {
    const first = decideHold({ previousCount: 13, removedKeys: SIX, hold: undefined, passes: 2, minutes: 30, now: T0 });
    const other = decideHold({ previousCount: 13, removedKeys: [...SIX, 'zilliz:x1'], hold: first.hold, passes: 2, minutes: 30, now: at(40 * 60) });
    expect(other.commit).toEqual([]);
    expect(other.hold).toMatchObject({ passes: 1, since: at(40 * 60), confirmsAfter: at(70 * 60) });
  });

  it('holds even with REMOVAL_HOLD_PASSES=1 until the time has passed', () => {
    expect(decideHold({ previousCount: 10, removedKeys: SIX, hold: undefined, passes: 1, minutes: 30, now: T0 }).commit).toEqual([]);
  });

  it('holdConfirmed is exact at the boundary', () => {
    expect(holdConfirmed(3, T0, at(30 * 60 - 1), 3, 30)).toBe(false);
    expect(holdConfirmed(3, T0, at(30 * 60), 3, 30)).toBe(true);
    expect(holdConfirmed(2, T0, at(30 * 60), 3, 30)).toBe(false);
  });
});
