/**
 * The page for people, as one HTML string from a PageModel (pure, no
 * framework): the catalog table with its search form (a GET form, so it works
 * with JavaScript off), each scope's health, and the latest changes. Every
 * value is escaped; the only style and script come from the page's own routes.
 */
import { SOURCES, type Change, type Region } from '../../core/region';
import type { SourceStatus } from '../../core/schemas';
import { PAGE_CSS, PAGE_JS } from './assets';
import { CHANGE_TITLES, fieldChanges } from './describe';
import { esc, shortTime } from './escape';
import type { PageModel } from './model';
import { pageHref } from './query';

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

function regionRow(r: Region): string {
  return (
    `<tr data-source="${esc(r.source)}" data-cloud="${esc(r.cloudId)}">` +
    `<th scope="row"><a href="${esc(regionHref(r.source, r.regionId))}">${esc(r.id)}</a></th>` +
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
    `<button type="submit">Search</button></form>`
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
  const rows = model.regions.length ? model.regions.map(regionRow).join('') : '<tr><td colspan="7">No region matches.</td></tr>';
  return (
    `<div id="results"><p id="count" class="meta" aria-live="polite">${model.matching} of ${model.total} regions${model.pages > 1 ? ` (showing ${shown})` : ''}</p>` +
    `<div class="scroll" tabindex="0" role="region" aria-labelledby="catalog-caption"><table id="catalog" data-complete="${complete}">` +
    `<caption id="catalog-caption">Regions, sorted by id${filtered ? ' (filtered)' : ''}</caption>` +
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

function health(sources: SourceStatus[]): string {
  const troubled = sources.filter((s) => s.status === 'held' || s.status === 'degraded').length;
  const rows = sources.length ? sources.map(healthRow).join('') : '<tr><td colspan="6">No scope has been synced yet.</td></tr>';
  return (
    `<section aria-labelledby="health-h"><h2 id="health-h">Health</h2>` +
    `<p class="meta">${sources.length} scopes${troubled ? `, <strong>${troubled} need attention</strong>` : ', all fine'} · <a href="/sources">JSON</a></p>` +
    `<div class="scroll" tabindex="0" role="region" aria-labelledby="health-caption"><table id="health">` +
    `<caption id="health-caption">Each scope's last sync</caption><thead><tr><th scope="col">Scope</th><th scope="col">Status</th>` +
    `<th scope="col">Last success</th><th scope="col">Consecutive failures</th><th scope="col">Last error</th><th scope="col">Regions</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div></section>`
  );
}

function changeItem(c: Change): string {
  const region = c.after ?? c.before;
  const link = region ? `<a href="${esc(regionHref(region.source, region.regionId))}">${esc(c.regionKey)}</a>` : esc(c.regionKey);
  const fields =
    c.type === 'region.changed'
      ? `<ul>${fieldChanges(c)
          .map((f) => `<li><code>${esc(f.field)}</code>: <del>${esc(f.before)}</del> <span class="arrow" aria-label="becomes">→</span> <ins>${esc(f.after)}</ins></li>`)
          .join('')}</ul>`
      : ` <span class="meta">${esc(region?.name ?? '')}</span>`;
  return `<li><span class="kind">${esc(CHANGE_TITLES[c.type])}</span> ${link} · ${time(c.detectedAt)}${fields}</li>`;
}

function changes(list: Change[]): string {
  return (
    `<section aria-labelledby="changes-h"><h2 id="changes-h">Latest changes</h2>` +
    `<p class="meta">Newest first · <a href="/changes.atom">Atom feed</a> · <a href="/changes">JSON feed</a></p>` +
    (list.length ? `<ul class="changes">${list.map(changeItem).join('')}</ul>` : '<p>No change recorded yet.</p>') +
    `</section>`
  );
}

export function renderPage(model: PageModel): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>region-sync: region catalog</title><link rel="stylesheet" href="${PAGE_CSS.href}">` +
    `<link rel="alternate" type="application/atom+xml" title="region-sync changes" href="/changes.atom">` +
    `<script src="${PAGE_JS.href}" defer></script></head><body><main>` +
    `<h1>Region catalog</h1><p class="meta">Zilliz Cloud and Huawei Cloud ModelArts regions · version ${model.version}` +
    ` · synced ${time(model.syncedAt)} · <a href="/regions">JSON</a> · <a href="/openapi.json">API</a></p>` +
    // Health first: a few rows, and what a person checks before trusting the table.
    health(model.sources) +
    `<section aria-labelledby="catalog-h"><h2 id="catalog-h">Catalog</h2>${filters(model)}${catalog(model)}</section>` +
    changes(model.changes) +
    `</main></body></html>`
  );
}
