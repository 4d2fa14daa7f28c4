/**
 * Lambda entry point of the scheduled sync: configuration parsed once at cold
 * start (a bad setting fails the init naming the variable), then one pass per
 * invocation. See lib/sync-handler.ts for the wiring and lib/sync.ts for the pass.
 */
import { loadSyncConfig } from '../lib/config/sync';
import { createSyncHandler } from '../lib/sync-handler';

export const handler = createSyncHandler(loadSyncConfig());
