/**
 * The latest changes as an Atom 1.0 feed (RFC 4287), pure: a feed with id,
 * title, updated, author and its self and alternate links; one entry per
 * change, newest first, with a permanent id (`urn:region-sync:change:<id>`),
 * a title naming the change and the region, `updated` = `detectedAt`, a
 * summary with the values, and links to the region's story (HTML, first) and
 * its JSON.
 */
import type { Change } from '../core/region';
import { changeSummary } from '../core/summary';
import { changeTitle } from './page/describe';
import { esc } from './page/escape';

export interface AtomInput {
  /** Absolute base of this API, without a trailing slash: `https://api.example.com`. */
  base: string;
  /** The query of this feed as requested (for the self link), e.g. `?source=zilliz`. */
  selfQuery: string;
  /** Sorted source filter; empty for all. */
  sources: readonly string[];
  /** Sorted change-type filter; empty for all. */
  types?: readonly string[];
  changes: readonly Change[];
  /** When no change is listed: the last commit, else the epoch. */
  fallbackUpdated: string | null;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

/**
 * Feed readers built on feedparser take the first alternate link as the entry's link: the
 * region's story on the page (HTML, and it answers for a removed region too) comes first; the
 * same story as JSON (`/regions/{source}/{regionId}/history`) stays beside it. Not the region's
 * own JSON route: that answers 404 once the region is removed, which would break every older
 * entry of a region removed since.
 */
function entry(change: Change, base: string): string {
  const story = `${base}/?${new URLSearchParams({ region: change.regionKey }).toString()}`;
  const json = `${base}/regions/${encodeURIComponent(change.source)}/${encodeURIComponent(change.regionId)}/history`;
  return (
    `<entry><id>urn:region-sync:change:${esc(change.id)}</id><title>${esc(changeTitle(change))}</title>` +
    `<updated>${esc(change.detectedAt)}</updated><link rel="alternate" type="text/html" href="${esc(story)}"/>` +
    `<link rel="alternate" type="application/json" href="${esc(json)}"/>` +
    `<category term="${esc(change.type)}"/><summary>${esc(change.summary ?? changeSummary(change))}</summary></entry>`
  );
}

const TYPE_WORDS: Record<string, string> = { 'region.added': 'added', 'region.removed': 'removed', 'region.changed': 'changed' };

export function renderAtom({ base, selfQuery, sources, types = [], changes, fallbackUpdated }: AtomInput): string {
  const updated = changes[0]?.detectedAt ?? fallbackUpdated ?? EPOCH;
  // The id names the feed, not its URL: the same filter is the same feed wherever the API is hosted,
  // and each filter is its own feed (a reader subscribed to two must not merge them).
  const filters = [...(sources.length ? [`source=${[...sources].sort().join(',')}`] : []), ...(types.length ? [`type=${[...types].sort().join(',')}`] : [])];
  const id = `urn:region-sync:changes${filters.length ? `:${filters.join(';')}` : ''}`;
  const words = [...(sources.length ? [[...sources].sort().join(', ')] : []), ...(types.length ? [[...types].sort().map((t) => TYPE_WORDS[t] ?? t).join(', ')] : [])];
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">` +
    `<id>${esc(id)}</id><title>region-sync: region changes${words.length ? ` (${esc(words.join('; '))})` : ''}</title>` +
    `<updated>${esc(updated)}</updated><author><name>region-sync</name></author>` +
    `<link rel="self" type="application/atom+xml" href="${esc(`${base}/changes.atom${selfQuery}`)}"/>` +
    `<link rel="alternate" type="text/html" href="${esc(`${base}/`)}"/>` +
    `<generator>region-sync</generator>` +
    changes.map((c) => entry(c, base)).join('') +
    `</feed>\n`
  );
}
