/**
 * comparableJson writes its text in one walk: for any JSON value it gives
 * exactly the text of the model below (the value copied with its lists and
 * keys sorted, then canonicalJson over the copy, keys sorted again at every
 * depth), which is what the stored answer hashes were computed from, and it
 * is blind to key and list order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, comparableJson } from '../../../lib/core/region';

/** The model: lists sorted (by their members' JSON) and keys sorted, at every depth, as a copy. */
function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonicalValue).sort((a, b) => {
      const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonicalValue((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return [...value].reverse().map((v) => shuffled(v, seed + 1));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    const order = seed % 2 ? keys.reverse() : keys;
    return Object.fromEntries(order.map((k) => [k, shuffled((value as Record<string, unknown>)[k], seed + 1)]));
  }
  return value;
}

describe('comparableJson', () => {
  it('equals the doubly sorted text for any JSON value', () => {
    fc.assert(
      // No `__proto__` key: the doubly sorted form assigns keys onto a plain object and so drops it, the
      // single-sort form keeps it (an upstream field of that name would hash differently; none exists).
      fc.property(fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__"')), (value) => {
        expect(comparableJson(value)).toBe(canonicalJson(canonicalValue(value)));
      }),
      { numRuns: 2000 },
    );
  });

  it('orders index-like keys as JSON.stringify does, and lists by their members', () => {
    const value = { b: 1, '10': [3, { z: 1, a: [2, 1] }], '9': null, a: '' };
    expect(comparableJson(value)).toBe('{"9":null,"10":[3,{"a":[1,2],"z":1}],"a":"","b":1}');
    expect(comparableJson(value)).toBe(canonicalJson(canonicalValue(value)));
    expect(comparableJson(undefined)).toBeUndefined();
  });

  it('ignores key and list order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        expect(comparableJson(shuffled(value, seed))).toBe(comparableJson(value));
      }),
      { numRuns: 300 },
    );
  });
});
