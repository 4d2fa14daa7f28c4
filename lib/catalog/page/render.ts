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
import type { SourceStatus } from '../../core/api-records';
import { PAGE_CSS, PAGE_JS } from './assets';
import { displayValue, valueChanges } from '../../core/summary';
import { esc, shortTime } from './escape';
import type { PageModel } from './model';
import { historyHref, olderHref, pageHref } from './query';

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

/** The rows the listed changes touched: new (added) or changed, marked by a word, not a colour alone. */
function marksOf(model: PageModel): Map<string, 'new' | 'changed'> {
  const marks = new Map<string, 'new' | 'changed'>();
  if (model.past || model.query.older) return marks;
  // Oldest first, so an added-then-changed region reads "new".
  for (const { change } of [...model.changes].reverse()) {
    // A first sync makes every row new: marking them all would mark nothing.
    if (change.initial) continue;
    if (change.type === 'region.added') marks.set(change.regionKey, 'new');
    else if (change.type === 'region.changed' && !marks.has(change.regionKey)) marks.set(change.regionKey, 'changed');
    else if (change.type === 'region.removed') marks.delete(change.regionKey);
  }
  return marks;
}

function regionRow(r: Region, at: string, mark: 'new' | 'changed' | undefined): string {
  return (
    `<tr data-source="${esc(r.source)}" data-cloud="${esc(r.cloudId)}"${mark ? ` class="m-${mark}"` : ''}>` +
    // The id leads to the region's story on this page; its history section links the JSON.
    `<th scope="row"><a href="${esc(historyHref(r.id, at))}">${esc(r.id)}</a>${mark ? ` <span class="tag t-${mark}">${mark}</span>` : ''}</th>` +
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
    `<label for="at">View at<input type="text" id="at" name="at" value="${esc(query.at)}" placeholder="2026-11-23 10:00" maxlength="64" autocomplete="off" spellcheck="false" aria-describedby="at-hint"></label>` +
    `${keep}<button type="submit">View</button>` +
    `<p id="at-hint" class="hint meta">A UTC time such as ${esc(exampleTime(model))} (or RFC 3339), or a feed cursor (the <code>next</code> of <a href="/changes">/changes</a>)${query.at ? ` · <a href="${esc(pageHref({ ...query, at: '' }, 1))}">back to now</a>` : ''}</p></form>`
  );
}

/** The hint's example: the last sync's minute, a time that shows the catalog (or the epoch before any). */
function exampleTime(model: PageModel): string {
  const at = model.past?.syncedAt ?? model.syncedAt;
  // The minute after the sync: a time at the minute itself could fall before it, in the version before.
  const m = at ? /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(new Date(Date.parse(at) + 60_000).toISOString()) : null;
  return m ? `${m[1]} ${m[2]}` : '2026-11-23 10:00';
}

function banner(model: PageModel): string {
  const { past } = model;
  if (!past) return '';
  return (
    `<p id="past" class="banner"><strong>${past.version === 0 ? 'Viewing the catalog before the first sync: it held no region' : `Viewing the catalog as of ${time(past.syncedAt)}, version ${past.version}`}</strong>` +
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
  const marks = marksOf(model);
  const pastEnd = model.regions.length === 0 && model.matching > 0;
  const empty = pastEnd
    ? `Page ${model.query.page} is past the end: ${model.matching} regions match, on ${model.pages} page${model.pages === 1 ? '' : 's'} (<a href="${esc(pageHref(model.query, model.pages))}">the last page</a>).`
    : 'No region matches.';
  const rows = model.regions.length ? model.regions.map((r) => regionRow(r, model.query.at, marks.get(r.id))).join('') : `<tr><td colspan="7">${empty}</td></tr>`;
  const count = pastEnd
    ? `Page ${model.query.page} of ${model.pages}: past the end`
    : `${model.matching} of ${model.total} regions${model.pages > 1 ? ` (showing ${shown})` : ''}`;
  return (
    `<div id="results"><p id="count" class="meta" aria-live="polite">${count}</p>` +
    `<div class="scroll" tabindex="0" role="region" aria-labelledby="catalog-caption"><table id="catalog" data-complete="${complete}">` +
    `<caption id="catalog-caption">Regions${model.past ? ` as of version ${model.past.version}` : ''}, sorted by id${filtered ? ' (filtered)' : ''}</caption>` +
    `<thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Localized names</th><th scope="col">Cloud</th>` +
    `<th scope="col">API base URL</th><th scope="col">First seen</th><th scope="col">Updated</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div>${pager(model)}</div>`
  );
}

/** Needs a person's look: failing, holding removals, or answering no region at all (never "fine"). */
function troubled(s: SourceStatus): boolean {
  return s.status === 'held' || s.status === 'degraded' || (s.status === 'ok' && s.regionCount === 0);
}

function lastError(s: SourceStatus): string {
  const e = s.lastError;
  if (!e) return 'none';
  const recovered = s.status !== 'degraded' ? '<span class="meta">(before the last success) </span>' : '';
  return (
    `${recovered}<code>${esc(e.code)}</code> at ${time(e.at)}<br><span class="errmsg">${esc(e.message)}</span>` +
    (e.requestId ? `<br><span class="meta">request id <code>${esc(e.requestId)}</code></span>` : '')
  );
}

function statusCell(s: SourceStatus): string {
  const badge = `<span class="badge s-${esc(s.status)}">${esc(s.status)}</span>`;
  if (s.held) {
    return (
      `${badge}<br><span class="held">${s.held.count} of ${s.held.of} removals held since ${time(s.held.since)}; ` +
      `they confirm only if still absent after ${s.held.passesNeeded} passes (${s.held.passes} so far), the last at or after ${time(s.held.confirmsAfter)}</span>`
    );
  }
  if (s.status === 'ok' && s.regionCount === 0) return `${badge} <span class="badge s-empty">empty</span><br><span class="held">answered no region</span>`;
  return badge;
}

function healthRow(s: SourceStatus): string {
  const alert = troubled(s);
  const kind = s.status === 'ok' ? 'empty' : s.status;
  return (
    `<tr${alert ? ` class="alert ${esc(kind)}"` : ''}><th scope="row">${esc(s.scope)}</th>` +
    `<td data-label="Status">${statusCell(s)}</td><td data-label="Regions">${s.regionCount}</td><td data-label="Last success">${time(s.lastSuccessAt)}</td>` +
    `<td data-label="Consecutive failures">${s.consecutiveFailures}</td><td data-label="Last error">${lastError(s)}</td></tr>`
  );
}

function health(sources: SourceStatus[] | null): string {
  if (!sources) {
    return (
      `<section class="health" aria-labelledby="health-h"><h2 id="health-h">Health</h2>` +
      `<p class="meta">Health is not kept in history: see each scope's health now on <a href="/">the current page</a> or in <a href="/sources">JSON</a>.</p></section>`
    );
  }
  const attention = sources.filter(troubled).length;
  const rows = sources.length ? sources.map(healthRow).join('') : '<tr><td colspan="6">No scope has been synced yet.</td></tr>';
  const verdict = sources.length === 0 ? '' : attention ? `, <strong>${attention} need${attention === 1 ? 's' : ''} attention</strong>` : ', all syncing with regions';
  return (
    `<section class="health" aria-labelledby="health-h"><h2 id="health-h">Health</h2>` +
    `<p class="meta">Now: ${sources.length} scopes${verdict} · <a href="/sources">JSON</a></p>` +
    `<div class="scroll" tabindex="0" role="region" aria-labelledby="health-caption"><table id="health">` +
    `<caption id="health-caption">Each scope's last sync</caption><thead><tr><th scope="col">Scope</th><th scope="col">Status</th><th scope="col">Regions</th>` +
    `<th scope="col">Last success</th><th scope="col">Consecutive failures</th><th scope="col">Last error</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div></section>`
  );
}

function fieldList(c: Change): string {
  return `<ul class="fields">${valueChanges(c)
    .map(
      (f) =>
        `<li><code>${esc(f.field)}</code>: <del><span class="sr">was </span>${esc(displayValue(f.before))}</del> <span class="arrow" aria-hidden="true">→</span> <ins><span class="sr">now </span>${esc(displayValue(f.after))}</ins></li>`,
    )
    .join('')}</ul>`;
}

const KINDS: Record<Change['type'], { cls: string; mark: string; word: string }> = {
  'region.added': { cls: 'k-added', mark: '+', word: 'Added' },
  'region.changed': { cls: 'k-changed', mark: '~', word: 'Changed' },
  'region.removed': { cls: 'k-removed', mark: '−', word: 'Removed' },
};

const kindLabel = (type: Change['type']) => `<span class="kind"><span aria-hidden="true">${KINDS[type].mark} </span>${KINDS[type].word}</span>`;

/** One change of the list: its kind (a word and a sign, not a colour alone), the region's story, and the values. */
function changeItem(c: Change, at: string): string {
  const story = `<a href="${esc(historyHref(c.regionKey, at))}">${esc(c.regionKey)}</a>`;
  const detail = c.type === 'region.changed' ? fieldList(c) : ` <span class="summary">${esc(c.summary)}</span>`;
  return `<li class="${KINDS[c.type].cls}">${kindLabel(c.type)} ${story}${detail}</li>`;
}

/** A scope's first sync: one line, its regions folded away. */
function initialItem(scope: string, list: Change[], at: string): string {
  return (
    `<li class="k-added k-initial">${kindLabel('region.added')} <strong>${esc(scope)}</strong>: first sync, ${list.length} region${list.length === 1 ? '' : 's'}` +
    `<details><summary>Show them</summary><ul class="plain">${list.map((c) => `<li><a href="${esc(historyHref(c.regionKey, at))}">${esc(c.regionKey)}</a> <span class="summary">${esc(c.summary)}</span></li>`).join('')}</ul></details></li>`
  );
}

/** The changes of one pass (they share its time), initial ones folded per scope. */
function passGroup(list: Change[], at: string): string {
  const count = (type: Change['type']) => list.filter((c) => c.type === type).length;
  const tally = (['region.added', 'region.changed', 'region.removed'] as const)
    .filter((t) => count(t) > 0)
    .map((t) => `${KINDS[t].mark}${count(t)} ${KINDS[t].word.toLowerCase()}`)
    .join(', ');
  const initial = new Map<string, Change[]>();
  const items: string[] = [];
  for (const c of list) {
    if (c.initial) {
      if (!initial.has(c.scope)) items.push(`initial:${c.scope}`);
      initial.set(c.scope, [...(initial.get(c.scope) ?? []), c]);
    } else items.push(changeItem(c, at));
  }
  const html = items.map((item) => (item.startsWith('initial:') ? initialItem(item.slice(8), initial.get(item.slice(8)) ?? [], at) : item)).join('');
  return `<li class="pass"><h3>Pass of ${time(list[0]?.detectedAt ?? null)} <span class="meta">· ${tally}</span></h3><ul class="changes">${html}</ul></li>`;
}

function changes(model: PageModel): string {
  const { query } = model;
  const at = query.at;
  const filtered = query.q !== '' || query.source !== '' || query.cloud !== '';
  const groups: Change[][] = [];
  for (const { change } of model.changes) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.detectedAt === change.detectedAt) last.push(change);
    else groups.push([change]);
  }
  const title = model.past ? `Changes up to version ${model.past.version}` : query.older ? 'Older changes' : 'Latest changes';
  const scopeNote = model.past || query.older ? 'newest first' : 'the last 24 hours before the newest change, newest first';
  const lastPlace = model.changes[model.changes.length - 1];
  const older = model.moreChanges && lastPlace ? `<a rel="next" href="${esc(olderHref(query, `${lastPlace.seq}.${lastPlace.index}`))}">Older changes →</a>` : '';
  const latest = query.older ? `<a href="${esc(pageHref({ ...query }, 1))}">← Latest changes</a>` : '';
  const nav = older || latest ? `<nav class="pager" aria-label="Pages of the changes">${latest}${older}</nav>` : '';
  return (
    `<section id="changes" aria-labelledby="changes-h"><h2 id="changes-h">${title}</h2>` +
    `<p class="meta">${scopeNote}${filtered ? ' · <strong>filtered</strong> like the catalog below' : ''} · <a href="/changes.atom">Atom feed</a> · <a href="/changes">JSON feed</a></p>` +
    (groups.length ? `<ol class="passes">${groups.map((g) => passGroup(g, at)).join('')}</ol>` : `<p>${filtered ? 'No change of a matching region.' : 'No change recorded yet.'}</p>`) +
    nav +
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
  return `<li class="${KINDS[c.type].cls}">${kindLabel(c.type)} · ${time(c.detectedAt)}${detail}</li>`;
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

/** The catalog as a file, when it is published as one: always the latest version, also from a past view. */
function fileLink(model: PageModel): string {
  return model.fileUrl ? ` · <a href="${esc(model.fileUrl)}" rel="alternate" type="application/json">catalog file (latest.json)</a>` : '';
}

export function renderPage(model: PageModel): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>region-sync: region catalog${model.past ? ` as of version ${model.past.version}` : ''}</title><link rel="stylesheet" href="${PAGE_CSS.href}">` +
    `<link rel="alternate" type="application/atom+xml" title="region-sync changes" href="/changes.atom">` +
    `<script src="${PAGE_JS.href}" defer></script></head><body><main>` +
    `<h1>Region catalog</h1><p class="meta">Zilliz Cloud and Huawei Cloud ModelArts regions · version ${model.version}` +
    ` · synced ${time(model.syncedAt)} · <a href="${model.past ? `/regions?at=${esc(encodeURIComponent(model.past.raw))}` : '/regions'}">JSON</a> · <a href="/openapi.json">API</a>${fileLink(model)}</p>` +
    banner(model) +
    history(model) +
    // What changed first (the first screen of a desktop shows it), with each scope's health beside
    // it (CSS puts the health first on a phone), then the catalog with its filters.
    `<div class="top">${changes(model)}${health(model.sources)}</div>` +
    `<section aria-labelledby="catalog-h"><h2 id="catalog-h">Catalog</h2>${viewAt(model)}${filters(model)}${catalog(model)}</section>` +
    `</main></body></html>`
  );
}
