/**
 * The headers every catalog answer carries, added in one step after routing:
 * the security headers of a JSON API (no server banner is ever set), and CORS
 * for the configured origins. Written out rather than taken from
 * @middy/http-cors and @middy/http-security-headers: those rebuild their
 * configuration and clone headers on every request, which cost more than the
 * whole route on a warm 304 (see BENCHMARKS.md).
 */
import type { HttpResult } from './problem';
import type { APIGatewayProxyEventV2 as CatalogEvent } from 'aws-lambda';

const SECURITY: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=15552000; includeSubDomains',
  'X-Frame-Options': 'DENY',
  'X-Permitted-Cross-Domain-Policies': 'none',
};

const CORS_PREFLIGHT: Record<string, string> = {
  'Access-Control-Allow-Methods': 'GET, HEAD',
  'Access-Control-Allow-Headers': 'If-None-Match',
};

/**
 * The page's policy: nothing from another origin, no inline code. Its style
 * and script come from its own routes ('self'); the instant search fetches the
 * page itself (connect-src 'self'); the search form submits only here.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export type HeaderDecorator = (event: CatalogEvent, response: HttpResult) => HttpResult;

function appendVary(headers: Record<string, string | number | boolean>, value: string): void {
  const vary = headers.Vary ?? headers.vary;
  headers.Vary = vary ? `${String(vary)}, ${value}` : value;
  if ('vary' in headers) delete headers.vary;
}

/** `corsOrigins` is `['*']` or a list of exact origins (`https://app.example.com`). */
export function createHeaderDecorator(corsOrigins: readonly string[]): HeaderDecorator {
  const anyOrigin = corsOrigins.includes('*');
  const allowed = new Set(corsOrigins);
  return (event, response) => {
    // Route answers carry a fresh headers object each time, so adding to it is safe.
    const headers = (response.headers ??= {});
    Object.assign(headers, SECURITY);
    const origin = event.headers?.origin ?? event.headers?.Origin;
    const allowOrigin = anyOrigin ? '*' : origin && allowed.has(origin) ? origin : undefined;
    // With a list of origins, the answer depends on the request's Origin: caches must know.
    if (!anyOrigin) appendVary(headers, 'Origin');
    if (!allowOrigin) return response;
    headers['Access-Control-Allow-Origin'] = allowOrigin;
    headers['Access-Control-Expose-Headers'] = 'ETag';
    if (event.requestContext.http.method === 'OPTIONS') Object.assign(headers, CORS_PREFLIGHT);
    return response;
  };
}
