/**
 * Errors as a browser shows them: a person who mistypes "View at" or follows
 * a link to a region that is gone gets a page saying what went wrong, with a
 * way back, instead of raw problem+json. Chosen by `Accept` alone (a browser
 * asks for text/html first); programs keep problem+json, the same status and
 * the same words.
 */
import { PAGE_CSP } from '../headers';
import type { HttpResult } from '../problem';
import { PAGE_CSS } from './assets';
import { esc } from './escape';

/** True when the client prefers HTML to JSON: text/html is listed, and before any JSON type. */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const html = types.findIndex((t) => t === 'text/html' || t === 'application/xhtml+xml');
  if (html < 0) return false;
  const json = types.findIndex((t) => t.endsWith('/json') || t.endsWith('+json'));
  return json < 0 || html < json;
}

/** The problem+json answer as an HTML page with the same status and words. */
export function problemPage(problem: HttpResult): HttpResult {
  let title = 'Error';
  let detail = '';
  try {
    const parsed = JSON.parse(String(problem.body)) as { title?: string; detail?: string };
    title = parsed.title ?? title;
    detail = parsed.detail ?? '';
  } catch {
    // Not a problem body: the status alone is shown.
  }
  const status = problem.statusCode ?? 500;
  const body =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${status} ${esc(title)} · region-sync</title><link rel="stylesheet" href="${PAGE_CSS.href}"></head><body><main>` +
    `<h1>${status}: ${esc(title)}</h1>${detail ? `<p id="problem-detail">${esc(detail)}</p>` : ''}` +
    `<p><a href="/">Back to the region catalog</a> · the same answer for programs comes as <code>application/problem+json</code>.</p>` +
    `</main></body></html>`;
  const headers: Record<string, string> = { ...problem.headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': PAGE_CSP, Vary: 'Accept' };
  return { ...problem, headers, body };
}
