/**
 * Lambda entry point of the scheduled sync. Settings are checked at init (a
 * bad one fails the cold start naming the variable); secrets named by
 * `*_PARAM` are read from SSM before the first pass. lib/sync/handler builds
 * the handler (middy, its early-timeout signal bounding the pass) and
 * lib/sync/pass runs the pass.
 */
import { prepareSyncHandler } from '../lib/sync/handler';

export const handler = prepareSyncHandler();
