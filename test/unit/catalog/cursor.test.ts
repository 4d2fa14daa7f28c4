// The change-feed cursor (lib/catalog/cursor.ts): round trip and refusal of anything it did not issue.
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, START } from '../../../lib/catalog/cursor';

describe('feed cursor', () => {
  it('round-trips a position', () => {
    for (const p of [START, { seq: 1, index: 0 }, { seq: 999_999_999_999, index: 499 }, { seq: 4, index: 2, last: true as const }]) {
      expect(decodeCursor(encodeCursor(p))).toEqual(p);
    }
  });

  it('refuses garbage, tampering and non-canonical spellings', () => {
    const good = encodeCursor({ seq: 7, index: 3 });
    const forged = Buffer.from(Buffer.from(good, 'base64url').toString().replace('1.7.3.', '1.8.3.')).toString('base64url');
    for (const bad of ['', 'abc', '!!!', 'MS43LjM', forged, `${good}A`, good.slice(0, -1), encodeCursor({ seq: 7, index: 3 }).toUpperCase()]) {
      expect(decodeCursor(bad), bad).toBeUndefined();
    }
    expect(Buffer.from(encodeCursor({ seq: 0, index: 0 }), 'base64url').toString()).toMatch(/^1\.0\.0\./);
    expect(decodeCursor(encodeCursor({ seq: 0, index: 0 }))).toBeUndefined();
    // The start has no changeset whose end it could mark.
    expect(decodeCursor(encodeCursor({ seq: 0, index: -1, last: true }))).toBeUndefined();
  });

  it('marks the end of a changeset in its own token, so the flag cannot be added to another cursor', () => {
    const mid = encodeCursor({ seq: 7, index: 3 });
    const end = encodeCursor({ seq: 7, index: 3, last: true });
    expect(end).not.toBe(mid);
    const forged = Buffer.from(Buffer.from(mid, 'base64url').toString().replace('1.7.3.', '1.7.3.e.')).toString('base64url');
    expect(decodeCursor(forged)).toBeUndefined();
  });
});
