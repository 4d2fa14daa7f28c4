/**
 * A region's story for `GET /regions/{source}/{regionId}/history` and the
 * page's `?region=`: its history items in the table (within the retention),
 * and, with the catalog files' bucket, its changes in the archived changesets
 * the table no longer holds (older than the retention), so the history
 * reaches as far as the archive. Both are read at the same instant: a
 * changeset is either live in the table (its region's history items with it,
 * they expire together) or read from the archive, never both, never neither.
 */
import type { StoreDeps } from '../store/deps';
import type { ArchiveReader } from '../store/archive';
import { readRegionHistory, type RegionHistoryRead } from '../store/history';
import { readLiveSeqs, readSeq } from '../store/read';

export interface RegionHistorySource {
  store: StoreDeps;
  archive?: ArchiveReader | undefined;
}

export type RegionHistoryReader = (regionKey: string, now: number) => Promise<RegionHistoryRead>;

export function createRegionHistory({ store, archive }: RegionHistorySource): RegionHistoryReader {
  return async (regionKey, now) => {
    if (!archive) return readRegionHistory(store, regionKey, now);
    const head = await readSeq(store);
    const [table, live] = await Promise.all([readRegionHistory(store, regionKey, now), readLiveSeqs(store, { fromSeq: 1, toSeq: head.version, now })]);
    const kept = new Set(live);
    const gone: number[] = [];
    for (let seq = 1; seq <= head.version; seq++) if (!kept.has(seq)) gone.push(seq);
    if (gone.length === 0) return table;
    const archived = await archive.regionChanges(regionKey, gone);
    // Ordered by commit; within one commit the changes keep their order (a commit is all in one place).
    const entries = [
      ...archived.changes.map((change, i) => ({ change, seq: archived.seqs[i]! })),
      ...table.changes.map((change, i) => ({ change, seq: table.seqs[i]! })),
    ].sort((a, b) => a.seq - b.seq);
    return { changes: entries.map((e) => e.change), seqs: entries.map((e) => e.seq), expiresAtMs: table.expiresAtMs };
  };
}
