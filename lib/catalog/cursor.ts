/**
 * The change-feed cursor: the position (commit sequence, index in that commit's
 * changeset) of the last change a client received, as an opaque base64url token
 * with a short checksum, so garbage or an edited token is refused, not misread.
 * The checksum guards against accidents, not forgery: a forged but well-formed
 * cursor is just another position, and positions are checked against the table.
 */
import { crc32 } from 'node:zlib';

export interface FeedPosition {
  /** Sequence of the changeset holding the last delivered change; 0 = before everything. */
  seq: number;
  /** Index of that change in its changeset; -1 with seq 0 for the start. */
  index: number;
  /**
   * That change is the last of its changeset. Once the changeset expires and TTL deletes it, this
   * is the only way to know that a client holding this cursor missed nothing of it; a cursor
   * without it (mid-changeset, or issued before the flag existed) then answers 410.
   */
  last?: true;
}

export const START: FeedPosition = { seq: 0, index: -1 };

const VERSION = '1';
const MAX_SEQ = 999_999_999_999; // 12 digits, the width of a changeset sort key
const MAX_INDEX = 1_000_000;

function checksum(payload: string): string {
  return (crc32(payload) >>> 0).toString(36);
}

export function encodeCursor({ seq, index, last }: FeedPosition): string {
  const payload = `${VERSION}.${seq}.${index}${last ? '.e' : ''}`;
  return Buffer.from(`${payload}.${checksum(payload)}`).toString('base64url');
}

/** The position a token encodes, or undefined when it is not a token this service issued. */
export function decodeCursor(token: string): FeedPosition | undefined {
  if (token.length === 0 || token.length > 64 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const text = Buffer.from(token, 'base64url').toString('latin1');
  const m = /^1\.(0|[1-9]\d{0,11})\.(-1|0|[1-9]\d{0,6})(\.e)?\.([0-9a-z]{1,7})$/.exec(text);
  if (!m) return undefined;
  const [, seqText = '', indexText = '', end = '', sum] = m;
  if (checksum(`${VERSION}.${seqText}.${indexText}${end}`) !== sum) return undefined;
  const seq = Number(seqText);
  const index = Number(indexText);
  if (seq > MAX_SEQ || index > MAX_INDEX) return undefined;
  // -1 only means "before everything"; any other position names a delivered change.
  if ((index === -1) !== (seq === 0) || (end && seq === 0)) return undefined;
  const position: FeedPosition = end ? { seq, index, last: true } : { seq, index };
  // base64 decoding ignores stray trailing bits; only the canonical spelling is accepted.
  return encodeCursor(position) === token ? position : undefined;
}
