/**
 * The endpoints, read from the secret at cold start and then at most every
 * five minutes (a changed secret needs no deployment). A bad entry is logged
 * once per distinct secret value, by name; a failed re-read keeps the
 * endpoints read before and tries again at the next interval.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../core/log';
import { parseEndpoints, type Endpoint } from './endpoints';

export const ENDPOINTS_MAX_AGE_MS = 5 * 60_000;

export interface EndpointSourceOptions {
  read: () => Promise<string>;
  log: Logger;
  maxAgeMs?: number;
  now?: () => number;
}

export function createEndpointSource(options: EndpointSourceOptions): () => Promise<readonly Endpoint[]> {
  const { read, log } = options;
  const maxAgeMs = options.maxAgeMs ?? ENDPOINTS_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  let current: { endpoints: readonly Endpoint[]; at: number; digest: string } | undefined;
  let loading: Promise<void> | undefined;

  const load = async () => {
    const text = await read();
    const digest = createHash('sha256').update(text).digest('hex');
    if (digest !== current?.digest) {
      const { endpoints, problems } = parseEndpoints(text);
      for (const problem of problems) log.error('webhook endpoint skipped', { endpoint: problem.endpoint, reason: problem.reason });
      current = { endpoints, at: now(), digest };
    } else current.at = now();
  };

  return async () => {
    if (!current || now() - current.at >= maxAgeMs) {
      loading ??= load().finally(() => (loading = undefined));
      try {
        await loading;
      } catch (error: unknown) {
        if (!current) throw error;
        log.warn('could not re-read the webhook endpoints: keeping those read before', { error: error instanceof Error ? error.name : 'error' });
        current.at = now();
      }
    }
    if (!current) throw new Error('webhook endpoints not read');
    return current.endpoints;
  };
}
