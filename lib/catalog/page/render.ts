/**
 * The page for people, as one HTML string from a PageModel (pure, no
 * framework): the catalog table with its search form and its "view at" form
 * (GET forms, so they work with JavaScript off), each scope's health, the
 * latest changes, and one region's history when asked for. A past view says
 * so in a banner and leaves the health out (it is not kept in history, and a
 * past view is served as immutable). Every value is escaped; the only style
 * and script come from the page's own routes.
 */
import { SOURCES, type Change, type Region } from '../../core/region';
import type { SourceStatus } from '../../core/schemas';
import { PAGE_CSS, PAGE_JS } from './assets';
import { CHANGE_TITLES, fieldChanges } from './describe';
import { esc, shortTime } from './escape';
import type { PageModel } from './model';
import { historyHref, pageHref } from './query';

const regionHref = (source: string, regionId: string) => `/regions/${encodeURIComponent(source)}/${encodeURIComponent(regionId)}`;

/** `zh_cn` → `zh-CN`, a BCP 47 tag a screen reader can pronounce by. */
function langOf(locale: string): string {
  const [lang = '', region] = locale.split(/[_-]/);
  return region ? `${lang.toLowerCase()}-${region.toUpperCase()}` : lang.toLowerCase();
}

const time = (iso: string | null) => (iso ? `<time datetime="${esc(iso)}">${esc(shortTime(iso))}</time>` : '—');

function names(region: Region): string {
  const entries = Object.entries(region.localizedNames);
  if (entries.length === 0) return '—';
  return entries.map(([locale, name]) => `<span lang="${esc(langOf(locale))}">${esc(name)}</span> <small>(${esc(locale)})</small>`).join('<br>');
}

function regionRow(r: Region, at: string): string {
  return (
    `<tr data-source="${esc(r.source)}" data-cloud="${esc(r.cloudId)}">` +
    // The id leads to the region's story on this page; its history section links the JSON.
    `<th scope="row"><a href="${esc(historyHref(r.id, at))}">${esc(r.id)}</a></th>` +
    `<td>${esc(r.name)}</td><td class="names">${names(r)}</td><td>${esc(r.cloudId)}</td>` +
    `<td class="url">${r.apiBaseUrl ? `<code>${esc(r.apiBaseUrl)}</code>` : '—'}</td>` +
    `<td>${time(r.firstSeenAt)}</td><td>${time(r.updatedAt)}</td></tr>`
  );
}

function options(values: readonly string[], selected: string, anyLabel: string): string {
  return [`<option value="">${esc(anyLabel)}</option>`, ...values.map((v) => `<option value="${esc(v)}"${v === selected ? ' selected' : ''}>${esc(v)}</option>`)].join('');
}

function filters(model: PageModel): string {
  const { query } = model;
  return (
    `<form id="filters" method="get" action="/" role="search" aria-label="Search the catalog">` +
    `<label for="q">Search<input type="search" id="q" name="q" value="${esc(query.q)}" placeholder="id, name, URL…" maxlength="100"></label>` +
    `<label for="source">Source<select id="source" name="source">${options(SOURCES, query.source, 'all sources')}</select></label>` +
    `<label for="cloud">Cloud<select id="cloud" name="cloud">${options(model.clouds, query.cloud, 'all clouds')}</select></label>` +
    (query.limit !== 100 ? `<input type="hidden" name="limit" value="${query.limit}">` : '') +
    (query.at ? `<input type="hidden" name="at" value="${esc(query.at)}">` : '') +
    `<button type="submit">Search</button></form>`
  );
}

/** The "view at" form: a text field, since an RFC 3339 time or a cursor is not what datetime-local takes. The search carries over. */
function viewAt(model: PageModel): string {
  const { query } = model;
  const keep = (['q', 'source', 'cloud'] as const)
    .filter((k) => query[k] !== '')
    .map((k) => `<input type="hidden" name="${k}" value="${esc(query[k])}">`)
    .join('');
  return (
    `<form id="view-at" method="get" action="/" aria-label="View the catalog at a past point">` +
    `<label for="at">View at<input type="text" id="at" name="at" value="${esc(query.at)}" placeholder="2026-11-23T10:00:00Z" maxlength="64" autocomplete="off" spellcheck="false" aria-describedby="at-hint"></label>` +
    `${keep}<button type="submit">View</button>` +
    `<p id="at-hint" class="hint meta">An RFC 3339 time, such as 2026-11-23T10:00:00Z, or a feed cursor (the <code>next</code> of <a href="/changes">/changes</a>)${query.at ? ` · <a href="${esc(pageHref({ ...query, at: '' }, 1))}">back to now</a>` : ''}</p></form>`
  );
}

function banner(model: PageModel): string {
  const { past } = model;
  if (!past) return '';
  return (
    `<p id="past" class="banner"><strong>Viewing the catalog as of ${time(past.syncedAt)}, version ${past.version}</strong>` +
    ` — <a href="${esc(pageHref({ ...model.query, at: '' }, 1))}">back to now</a></p>`
  );
}

function pager(model: PageModel): string {
  if (model.pages <= 1) return '';
  const { query } = model;
  const prev = query.page > 1 ? `<a href="${esc(pageHref(query, query.page - 1))}" rel="prev">← Previous</a>` : '';
  const next = query.page < model.pages ? `<a href="${esc(pageHref(query, query.page + 1))}" rel="next">Next →</a>` : '';
  return `<nav class="pager" aria-label="Pages of the catalog">${prev}<span>Page ${query.page} of ${model.pages}</span>${next}</nav>`;
}

function catalog(model: PageModel): string {
  const filtered = model.query.q !== '' || model.query.source !== '' || model.query.cloud !== '';
  const complete = !filtered && model.pages === 1;
  const first = (model.query.page - 1) * model.query.limit;
  const shown = model.regions.length === 0 ? 'none' : `${first + 1}–${first + model.regions.length}`;
  const rows = model.regions.length ? model.regions.map((r) => regionRow(r, model.query.at)).join('') : '<tr><td colspan="7">No region matches.</td></tr>';
  return (
    `<div id="results"><p id="count" class="meta" aria-live="polite">${model.matching} of ${model.total} regions${model.pages > 1 ? ` (showing ${shown})` : ''}</p>` +
    `<div class="scroll" tabindex="0" role="region" aria-labelledby="catalog-caption"><table id="catalog" data-complete="${complete}">` +
    `<caption id="catalog-caption">Regions${model.past ? ` as of version ${model.past.version}` : ''}, sorted by id${filtered ? ' (filtered)' : ''}</caption>` +
    `<thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Localized names</th><th scope="col">Cloud</th>` +
    `<th scope="col">API base URL</th><th scope="col">First seen</th><th scope="col">Updated</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div>${pager(model)}</div>`
  );
}

function healthRow(s: SourceStatus): string {
  const alert = s.status === 'held' || s.status === 'degraded';
  return (
    `<tr${alert ? ` class="alert ${s.status}"` : ''}><th scope="row">${esc(s.scope)}</th>` +
    `<td><span class="badge s-${esc(s.status)}">${esc(s.status)}</span></td><td>${time(s.lastSuccessAt)}</td>` +
    `<td>${s.consecutiveFailures}</td><td>${s.lastError ? `<code title="${esc(s.lastError.message)}">${esc(s.lastError.code)}</code>` : '—'}</td>` +
    `<td>${s.regionCount}</td></tr>`
  );
}

function health(sources: SourceStatus[] | null): string {
  if (!sources) {
    return (
      `<section aria-labelledby="health-h"><h2 id="health-h">Health</h2>` +
      `<p class="meta">Health is not kept in history: see each scope's health now on <a href="/">the current page</a> or in <a href="/sources">JSON</a>.</p></section>`
    );
  }
  const troubled = sources.filter((s) => s.status === 'held' || s.status === 'degraded').length;
  const rows = sources.length ? sources.map(healthRow).join('') : '<tr><td colspan="6">No scope has been synced yet.</td></tr>';
  return (
    `<section aria-labelledby="health-h"><h2 id="health-h">Health</h2>` +
    `<p class="meta">Now: ${sources.length} scopes${troubled ? `, <strong>${troubled} need attention</strong>` : ', all fine'} · <a href="/sources">JSON</a></p>` +
    `<div class="scroll" tabindex="0" role="region" aria-labelledby="health-caption"><table id="health">` +
    `<caption id="health-caption">Each scope's last sync</caption><thead><tr><th scope="col">Scope</th><th scope="col">Status</th>` +
    `<th scope="col">Last success</th><th scope="col">Consecutive failures</th><th scope="col">Last error</th><th scope="col">Regions</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div></section>`
  );
}

function fieldList(c: Change): string {
  return `<ul>${fieldChanges(c)
    .map((f) => `<li><code>${esc(f.field)}</code>: <del>${esc(f.before)}</del> <span class="arrow" aria-label="becomes">→</span> <ins>${esc(f.after)}</ins></li>`)
    .join('')}</ul>`;
}

/** A change in the latest-changes list: its region's JSON, and its story (removed regions included). */
function changeItem(c: Change, at: string): string {
  const region = c.after ?? c.before;
  const link = `<a href="${esc(regionHref(c.source, c.regionId))}">${esc(c.regionKey)}</a> (<a href="${esc(historyHref(c.regionKey, at))}">history</a>)`;
  const fields =
    c.type === 'region.changed'
      ? fieldList(c)
      : ` <span class="meta">${esc(region?.name ?? '')}</span>`;
  return `<li><span class="kind">${esc(CHANGE_TITLES[c.type])}</span> ${link} · ${time(c.detectedAt)}${fields}</li>`;
}

function changes(list: Change[], model: PageModel): string {
  const at = model.query.at;
  return (
    `<section aria-labelledby="changes-h"><h2 id="changes-h">${model.past ? `Changes up to version ${model.past.version}` : 'Latest changes'}</h2>` +
    `<p class="meta">Newest first · <a href="/changes.atom">Atom feed</a> · <a href="/changes">JSON feed</a></p>` +
    (list.length ? `<ul class="changes">${list.map((c) => changeItem(c, at)).join('')}</ul>` : '<p>No change recorded yet.</p>') +
    `</section>`
  );
}

/** What one change of the region's story shows: the fields before → after, or what the region was when it came or went. */
function historyItem(c: Change): string {
  const region = c.type === 'region.removed' ? c.before : c.after;
  const detail =
    c.type === 'region.changed'
      ? fieldList(c)
      : region
        ? ` <span class="meta">${esc(region.name)} (${esc(region.cloudId)})${region.apiBaseUrl ? ` <code>${esc(region.apiBaseUrl)}</code>` : ''}</span>`
        : '';
  return `<li><span class="kind">${esc(CHANGE_TITLES[c.type])}</span> · ${time(c.detectedAt)}${detail}</li>`;
}

function history(model: PageModel): string {
  const h = model.history;
  if (!h) return '';
  const json = h.current ? `<a href="${esc(regionHref(h.source, h.regionId))}">region JSON</a>` : 'not in the catalog now';
  return (
    `<section id="history" aria-labelledby="history-h"><h2 id="history-h">History of ${esc(h.regionKey)}</h2>` +
    `<p class="meta">Every change within the retention, oldest first · ${json} · <a href="${esc(`${regionHref(h.source, h.regionId)}/history`)}">history JSON</a>` +
    ` · <a href="${esc(pageHref({ ...model.query, region: '' }))}">close</a></p>` +
    (h.changes.length ? `<ol class="changes">${h.changes.map(historyItem).join('')}</ol>` : '<p>No change within the retention.</p>') +
    `</section>`
  );
}

export function renderPage(model: PageModel): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>region-sync: region catalog${model.past ? ` as of version ${model.past.version}` : ''}</title><link rel="stylesheet" href="${PAGE_CSS.href}">` +
    `<link rel="alternate" type="application/atom+xml" title="region-sync changes" href="/changes.atom">` +
    `<script src="${PAGE_JS.href}" defer></script></head><body><main>` +
    `<h1>Region catalog</h1><p class="meta">Zilliz Cloud and Huawei Cloud ModelArts regions · version ${model.version}` +
    ` · synced ${time(model.syncedAt)} · <a href="${model.past ? `/regions?at=${esc(encodeURIComponent(model.past.raw))}` : '/regions'}">JSON</a> · <a href="/openapi.json">API</a></p>` +
    banner(model) +
    history(model) +
    // Health first: a few rows, and what a person checks before trusting the table.
    health(model.sources) +
    `<section aria-labelledby="catalog-h"><h2 id="catalog-h">Catalog</h2>${viewAt(model)}${filters(model)}${catalog(model)}</section>` +
    changes(model.changes, model) +
    `</main></body></html>`
  );
}
