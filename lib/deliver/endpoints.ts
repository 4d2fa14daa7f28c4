/**
 * The `webhookEndpoints` secret, parsed: `[{"name", "url", "secret": "whsec_…",
 * "types"?: [DetailType…]}]`. Pure. A bad entry is left out and reported by
 * its `name` alone (never its URL or secret), so the others are still served;
 * a value that does not parse at all gives no endpoint and one problem.
 */
import { listDetailTypes, webhookType } from '../core/detail-type-list';

export interface Endpoint {
  name: string;
  url: string;
  /** The HMAC key: the base64-decoded part after `whsec_`. */
  key: Buffer;
  /** Webhook types (`region.added`) delivered; undefined: all. */
  types: ReadonlySet<string> | undefined;
}

export interface EndpointProblem {
  /** The endpoint's `name`, or `#<index>` when it has none. */
  endpoint: string;
  reason: string;
}

export interface ParsedEndpoints {
  endpoints: Endpoint[];
  problems: EndpointProblem[];
}

const WHSEC = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The HMAC key of a `whsec_` secret, or undefined when it is not `whsec_` + base64 of at least 16 bytes. */
export function secretKey(secret: unknown): Buffer | undefined {
  if (typeof secret !== 'string') return undefined;
  const match = WHSEC.exec(secret);
  if (!match?.[1] || match[1].length % 4 !== 0) return undefined;
  const key = Buffer.from(match[1], 'base64');
  return key.length >= 16 ? key : undefined;
}

/** https anywhere; http only to this machine (the local stack and the tests). */
function urlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'url: missing';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url: not a URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)) return undefined;
  return 'url: must be https (http only for localhost)';
}

function typesOf(value: unknown): { types: ReadonlySet<string> | undefined } | { problem: string } {
  if (value === undefined || value === null) return { types: undefined };
  if (!Array.isArray(value) || value.length === 0) return { problem: 'types: expected a non-empty list of DetailTypes' };
  const known = new Map(listDetailTypes().flatMap((t) => [[t, webhookType(t)] as const, [webhookType(t), webhookType(t)] as const]));
  const types = new Set<string>();
  for (const t of value) {
    const type = typeof t === 'string' ? known.get(t) : undefined;
    if (!type) return { problem: `types: unknown DetailType${typeof t === 'string' ? ` '${t.slice(0, 40)}'` : ''}` };
    types.add(type);
  }
  return { types };
}

export function parseEndpoints(text: string): ParsedEndpoints {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { endpoints: [], problems: [{ endpoint: '*', reason: 'the secret is not JSON' }] };
  }
  if (!Array.isArray(value)) return { endpoints: [], problems: [{ endpoint: '*', reason: 'the secret is not a JSON list of endpoints' }] };
  const endpoints: Endpoint[] = [];
  const problems: EndpointProblem[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, index) => {
    const record = entry && typeof entry === 'object' && !Array.isArray(entry) ? (entry as Record<string, unknown>) : {};
    const name = typeof record.name === 'string' && NAME.test(record.name) ? record.name : undefined;
    const endpoint = name ?? `#${index}`;
    const fail = (reason: string) => problems.push({ endpoint, reason });
    if (!name) return fail('name: expected 1-64 of A-Z a-z 0-9 . _ -');
    if (seen.has(name)) return fail('name: given twice');
    seen.add(name);
    const badUrl = urlProblem(record.url);
    if (badUrl) return fail(badUrl);
    const key = secretKey(record.secret);
    if (!key) return fail('secret: expected whsec_ followed by the base64 of at least 16 bytes');
    const types = typesOf(record.types);
    if ('problem' in types) return fail(types.problem);
    endpoints.push({ name, url: String(record.url), key, types: types.types });
  });
  return { endpoints, problems };
}

export function wants(endpoint: Endpoint, type: string): boolean {
  return endpoint.types === undefined || endpoint.types.has(type);
}
