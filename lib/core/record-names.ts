/**
 * The sources and the change types: the names the records (./api-records)
 * and their schemas (./api-schemas) share, kept below both.
 */
export const SOURCES = ['zilliz', 'modelarts'] as const;

export const CHANGE_TYPES = ['region.added', 'region.removed', 'region.changed'] as const;
