/**
 * Lambda entry point of the scheduled sync. Settings are checked at init (a
 * bad one fails the cold start naming the variable); secrets named by
 * `*_PARAM` are read from SSM before the first pass. See lib/sync-handler.ts
 * for the wiring and lib/sync.ts for the pass.
 */
import { prepareSyncHandler } from '../lib/sync/handler';

export const handler = prepareSyncHandler();
