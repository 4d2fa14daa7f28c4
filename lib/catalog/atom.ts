/**
 * The latest changes as an Atom 1.0 feed (RFC 4287), pure: a feed with id,
 * title, updated, author and its self and alternate links; one entry per
 * change, newest first, with a permanent id (`urn:region-sync:change:<id>`),
 * a title naming the change and the region, `updated` = `detectedAt`, a
 * summary of the changed fields and a link to the region's JSON.
 */
import type { Change } from '../core/region';
import { changeSummary, changeTitle } from './page/describe';
import { esc } from './page/escape';

export interface AtomInput {
  /** Absolute base of this API, without a trailing slash: `https://api.example.com`. */
  base: string;
  /** The query of this feed as requested (for the self link), e.g. `?source=zilliz`. */
  selfQuery: string;
  /** Sorted source filter; empty for all. */
  sources: readonly string[];
  changes: readonly Change[];
  /** When no change is listed: the last commit, else the epoch. */
  fallbackUpdated: string | null;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

function entry(change: Change, base: string): string {
  const region = change.after ?? change.before;
  const href = region ? `${base}/regions/${encodeURIComponent(region.source)}/${encodeURIComponent(region.regionId)}` : `${base}/regions`;
  return (
    `<entry><id>urn:region-sync:change:${esc(change.id)}</id><title>${esc(changeTitle(change))}</title>` +
    `<updated>${esc(change.detectedAt)}</updated><link rel="alternate" type="application/json" href="${esc(href)}"/>` +
    `<category term="${esc(change.type)}"/><summary>${esc(changeSummary(change))}</summary></entry>`
  );
}

export function renderAtom({ base, selfQuery, sources, changes, fallbackUpdated }: AtomInput): string {
  const updated = changes[0]?.detectedAt ?? fallbackUpdated ?? EPOCH;
  // The id names the feed, not its URL: the same filter is the same feed wherever the API is hosted.
  const id = `urn:region-sync:changes${sources.length ? `:source=${sources.join(',')}` : ''}`;
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">` +
    `<id>${esc(id)}</id><title>region-sync: region changes${sources.length ? ` (${esc(sources.join(', '))})` : ''}</title>` +
    `<updated>${esc(updated)}</updated><author><name>region-sync</name></author>` +
    `<link rel="self" type="application/atom+xml" href="${esc(`${base}/changes.atom${selfQuery}`)}"/>` +
    `<link rel="alternate" type="text/html" href="${esc(`${base}/`)}"/>` +
    `<generator>region-sync</generator>` +
    changes.map((c) => entry(c, base)).join('') +
    `</feed>\n`
  );
}
