/**
 * The chaos suite's model of the world: the upstream truth both simulators
 * serve (the model owns it and pushes it to them), its normalised form
 * written here independently of lib/sync/sources from the contract (README:
 * Zilliz `description` is the name, every other field an attribute; ModelArts
 * `locales.en_us` is the name; keys and lists sorted), and per scope the
 * history of truth versions, so every check compares the system with what
 * really happened upstream, never with the system's own records.
 */
import type { ModelartsRegion, ZillizCloud, ZillizRegion } from '../../local/simulators';
import sample from '../../local/fixtures/upstream-sample.json' with { type: 'json' };

export const PROJECT_ID = '0123456789abcdef0123456789abcdef';
export const MODELARTS_SCOPE = `modelarts/${PROJECT_ID}`;

/** A region as the catalog must show it, without the store's timestamps. */
export interface ModelRegion {
  id: string;
  source: 'zilliz' | 'modelarts';
  cloudId: string;
  regionId: string;
  name: string;
  localizedNames: Record<string, string>;
  apiBaseUrl: string | null;
  attributes: Record<string, unknown>;
}

export interface Truth {
  clouds: ZillizCloud[];
  zilliz: Record<string, ZillizRegion[]>;
  modelarts: ModelartsRegion[];
}

export function sampleTruth(): Truth {
  return { clouds: structuredClone(sample.zilliz.clouds), zilliz: structuredClone(sample.zilliz.regions), modelarts: structuredClone(sample.modelarts.region_items) };
}

/** Sorted keys at every depth and sorted lists: the contract's normal form. */
export function normalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalValue).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, normalValue((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function canonical(value: unknown): string {
  return JSON.stringify(normalValue(value));
}

function zillizRegion(cloudId: string, raw: ZillizRegion): ModelRegion {
  const { regionId, cloudId: own, apiBaseUrl, description, ...rest } = raw;
  return {
    id: `zilliz:${regionId}`,
    source: 'zilliz',
    cloudId: own ?? cloudId,
    regionId,
    name: typeof description === 'string' ? description : regionId,
    localizedNames: {},
    apiBaseUrl: apiBaseOf(apiBaseUrl, rest.domain),
    attributes: normalValue(rest) as Record<string, unknown>,
  };
}

/** CONTRACT, Region record: the answer's apiBaseUrl when given; else a plain-host `domain` gives https://<domain>, a wildcard one null. */
function apiBaseOf(apiBaseUrl: unknown, domain: unknown): string | null {
  if (typeof apiBaseUrl === 'string') return apiBaseUrl;
  if (typeof domain === 'string' && domain !== '' && !domain.includes('*')) return `https://${domain}`;
  return null;
}

function modelartsRegion(raw: ModelartsRegion): ModelRegion {
  const { region_id, locales = {}, ...rest } = raw;
  return {
    id: `modelarts:${region_id}`,
    source: 'modelarts',
    cloudId: 'huaweicloud',
    regionId: region_id,
    name: locales.en_us ?? region_id,
    localizedNames: normalValue(locales) as Record<string, string>,
    apiBaseUrl: null,
    attributes: normalValue(rest) as Record<string, unknown>,
  };
}

/** Scope → region id → normalised region: what a successful pass must store. */
export type ScopeView = Map<string, Map<string, ModelRegion>>;

export function normalise(truth: Truth): ScopeView {
  const view: ScopeView = new Map();
  for (const cloud of truth.clouds) {
    view.set(`zilliz/${cloud.cloudId}`, new Map((truth.zilliz[cloud.cloudId] ?? []).map((r) => [`zilliz:${r.regionId}`, zillizRegion(cloud.cloudId, r)])));
  }
  view.set(MODELARTS_SCOPE, new Map(truth.modelarts.map((r) => [`modelarts:${r.region_id}`, modelartsRegion(r)])));
  return view;
}

/** The fields of a change that differ, computed independently of lib/sync/diff. */
export function fieldsDiffering(before: ModelRegion, after: ModelRegion): string[] {
  const out: string[] = [];
  for (const f of ['name', 'localizedNames', 'apiBaseUrl', 'cloudId'] as const) if (canonical(before[f]) !== canonical(after[f])) out.push(f);
  for (const k of new Set([...Object.keys(before.attributes ?? {}), ...Object.keys(after.attributes ?? {})])) {
    if (canonical(before.attributes?.[k]) !== canonical(after.attributes?.[k])) out.push(`attributes.${k}`);
  }
  return out.sort();
}

export function contentOf(region: ModelRegion): ModelRegion {
  const { id, source, cloudId, regionId, name, localizedNames, apiBaseUrl, attributes } = region;
  return { id, source, cloudId, regionId, name, localizedNames, apiBaseUrl, attributes };
}

/**
 * The truth over time: every step that changes it appends a version. Per
 * scope the checks remember the earliest version the catalog may still be at.
 */
export class Model {
  truth: Truth = sampleTruth();
  versions: ScopeView[] = [normalise(this.truth)];
  /** The raw truth of each version (the upstream's own field names). */
  raw: Truth[] = [structuredClone(this.truth)];
  /** Per scope: the lowest version index the catalog may be at (moves only forward). */
  floor = new Map<string, number>();
  /** Passes started so far, and the pass count at the version each region left the truth. */
  passes = 0;
  /** The pass count at the last pass with everything healthy (every scope's failures are 0 after it). */
  passesAtClean = 0;
  /** Pass counts of the clean passes, and of the passes a glitch (a false short answer) was armed for. */
  cleanPasses: number[] = [];
  glitchPasses: number[] = [];
  goneAt = new Map<string, number>();
  /**
   * The pass clock (epoch ms): the time the world's passes start at. It moves
   * only forward, by the schedule's waits and a minute before every step that
   * runs passes; `passTimes[p]` is the start of pass p (1-based).
   */
  clock = 0;
  passTimes: number[] = [];

  get current(): ScopeView {
    return this.versions[this.versions.length - 1] as ScopeView;
  }

  /** Records the truth after a mutation. */
  commitTruth(): void {
    const before = this.current;
    const next = normalise(this.truth);
    for (const [scope, regions] of before) {
      for (const id of regions.keys()) if (!next.get(scope)?.has(id)) this.goneAt.set(id, this.passes);
    }
    this.versions.push(next);
    this.raw.push(structuredClone(this.truth));
  }

  /**
   * Confirmations a hold may have counted before the truth changed at pass `gone`: a glitch answer
   * after the last clean pass (a full answer resets a hold) can list exactly what the real removal
   * later lists, and no system can tell them apart.
   */
  glitchSlack(gone: number): number {
    return this.glitchBefore(gone) === undefined ? 0 : 1;
  }

  /** The first pass of that kind (a glitch answer after the last clean pass, at or before pass `gone`), if any. */
  private glitchBefore(gone: number): number | undefined {
    const lastClean = Math.max(0, ...this.cleanPasses.filter((p) => p <= gone));
    return this.glitchPasses.filter((p) => p > lastClean && p <= gone).sort((a, b) => a - b)[0];
  }

  /**
   * The earliest time a hold of a region that left the truth at pass count
   * `gone` can have started: the start of the first pass after it left (none
   * before could see it gone), or of a glitch pass that listed the same (glitchSlack).
   */
  earliestHoldStart(gone: number): number {
    const glitch = this.glitchBefore(gone);
    return this.passTimes[glitch ?? gone + 1] ?? this.clock;
  }

  scopes(): string[] {
    const all = new Set<string>();
    for (const v of this.versions) for (const s of v.keys()) all.add(s);
    return [...all].sort();
  }
}

// ---------- operational events: every rule the checks apply, in one place ----------

/** A scope's health as the contract defines it: succeeded at least once or not, failing now or not. */
export type Health = 'never' | 'never-failing' | 'ok' | 'degraded';
/** One pass's status write for a scope. */
export type Outcome = 'ok' | 'failed';
export type OperationalEvent = 'Source Degraded' | 'Source Recovered';

/**
 * One status write: the health after it and the event it announces. Source
 * Degraded: a scope failed after succeeding; Source Recovered: a degraded
 * scope succeeded again (a scope that never succeeded announces neither).
 */
export function statusWrite(health: Health, outcome: Outcome): { next: Health; event?: OperationalEvent } {
  if (outcome === 'failed') {
    if (health === 'ok') return { next: 'degraded', event: 'Source Degraded' };
    return { next: health === 'never' ? 'never-failing' : health };
  }
  if (health === 'degraded') return { next: 'ok', event: 'Source Recovered' };
  return { next: 'ok' };
}

/**
 * The scopes one Degraded/Recovered event speaks for. Today each event names
 * one `scope`; when one failing call that serves several scopes (Zilliz v2)
 * becomes one event naming them all in `scopes`, this is the only place the
 * checks read it: each named scope counts one transition.
 */
export function scopesNamed(detail: { scope?: string; scopes?: string[] }): string[] {
  return detail.scopes && detail.scopes.length ? [...new Set(detail.scopes)] : detail.scope ? [detail.scope] : [];
}

/**
 * When a held mass removal may commit (CONTRACT, Sources and scopes): once
 * `holdPasses` consecutive successful answers saw it, and the pass that
 * confirms it starts at least `holdMinutes` after the first of them. Written
 * here from the contract, never from lib/sync/hold.
 */
export function holdMayRelease(passesSeen: number, spannedMs: number, holdPasses: number, holdMinutes: number): boolean {
  return passesSeen >= holdPasses && spannedMs >= holdMinutes * 60_000;
}

/** A removal the hold must catch: more than half of the scope's regions. */
export function isMass(removed: number, before: number): boolean {
  return removed > 0 && removed * 2 > before;
}

/** The upstream's own field names a raw region carries (Schema Changed speaks of these); the cloud id is the scope. */
export function rawFields(source: 'zilliz' | 'modelarts', raw: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || v === null) continue;
    if (source === 'zilliz' && k === 'cloudId') continue;
    if (source === 'modelarts' && k === 'locales' && Object.keys(v as object).length === 0) continue;
    out.add(k);
  }
  return out;
}

/** Per source, per scope: the field set of each region of the truth. */
export function fieldsByScope(truth: Truth): Map<'zilliz' | 'modelarts', Map<string, Set<string>[]>> {
  const zilliz = new Map<string, Set<string>[]>();
  for (const cloud of truth.clouds) zilliz.set(`zilliz/${cloud.cloudId}`, (truth.zilliz[cloud.cloudId] ?? []).map((r) => rawFields('zilliz', r as unknown as Record<string, unknown>)));
  const modelarts = new Map([[MODELARTS_SCOPE, truth.modelarts.map((r) => rawFields('modelarts', r as unknown as Record<string, unknown>))]]);
  return new Map<'zilliz' | 'modelarts', Map<string, Set<string>[]>>([
    ['zilliz', zilliz],
    ['modelarts', modelarts],
  ]);
}
