/**
 * The notifications as people would receive them, rendered locally from the
 * very input transformers serverless.yml deploys (custom.notify.transformers),
 * so the preview of `npm start` and the deployment cannot drift apart.
 *
 * The renderer follows EventBridge's documented input transformation: each
 * `<name>` of the InputPathsMap is replaced by the value at its JSON path;
 * a string goes in as it is (EventBridge does not escape it, which is why the
 * templates only insert values that never hold a quote); an object or array
 * inside a string goes in as JSON with its inner quotes removed. A path the
 * event lacks leaves its placeholder as written.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { CLOUDFORMATION_SCHEMA, SERVERLESS_YML } from './table';

export interface Transformer {
  InputPathsMap: Record<string, string>;
  /** The template as CloudFormation gets it: a string or an Fn::Join holding the page URL. */
  InputTemplate: unknown;
}

export type Channel = 'webhook' | 'email';

export interface NotificationFamily {
  name: string;
  detailTypes: readonly string[];
  webhook: Transformer;
  email: Transformer;
  /** The detail part of the family's rule pattern, as serverless.yml writes it: the initial changes go to their own rule. */
  when?: (detail: Record<string, unknown>) => boolean;
}

/**
 * The detail filters of the rules (serverless.yml's NotifyRegionRule and NotifyInitialRule): a
 * scope's first sync is told once, by the change carrying `initialSummary`, not once per region.
 */
const DETAIL_FILTERS: Record<string, NotificationFamily['when']> = {
  region: (detail) => detail.initial === undefined,
  initial: (detail) => detail.initialSummary !== undefined,
};

/** The event as EventBridge hands it to a target. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

const require = createRequire(import.meta.url);
const { FAMILIES } = require('../deploy/notify.cjs') as { FAMILIES: Record<string, string[]> };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The families and their transformers from serverless.yml, and the page URL node they embed. */
export function loadNotificationFamilies(file = SERVERLESS_YML): { families: NotificationFamily[]; pageUrlNode: unknown } {
  const document = yaml.load(readFileSync(file, 'utf8'), { schema: CLOUDFORMATION_SCHEMA, filename: file });
  const notify = isRecord(document) && isRecord(document.custom) && isRecord(document.custom.notify) ? document.custom.notify : undefined;
  const transformers = notify && isRecord(notify.transformers) ? notify.transformers : undefined;
  if (!transformers) throw new Error('serverless.yml: custom.notify.transformers is missing');
  const families = [...Object.entries(FAMILIES), ['initial', ['Region Added']] as const].map(([name, detailTypes]) => {
    const entry = transformers[name];
    if (!isRecord(entry) || !isRecord(entry.webhook) || !isRecord(entry.email)) throw new Error(`serverless.yml: custom.notify.transformers.${name} needs webhook and email`);
    const when = DETAIL_FILTERS[name];
    return { name, detailTypes, webhook: entry.webhook as unknown as Transformer, email: entry.email as unknown as Transformer, ...(when ? { when } : {}) };
  });
  return { families, pageUrlNode: notify?.pageUrl };
}

/** The template text: an Fn::Join flattened, the page URL node replaced by `pageUrl`. */
export function templateText(node: unknown, pageUrl: string, pageUrlNode?: unknown): string {
  if (typeof node === 'string') return node;
  if (pageUrlNode !== undefined && JSON.stringify(node) === JSON.stringify(pageUrlNode)) return pageUrl;
  if (isRecord(node) && Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => templateText(p, pageUrl, pageUrlNode)).join(separator);
  }
  throw new Error(`unsupported in an input template: ${JSON.stringify(node).slice(0, 80)}`);
}

/** `$.detail.regionKey`, `$.detail-type`: the dot notation EventBridge supports (no filters). */
export function valueAt(event: unknown, path: string): unknown {
  if (path === '$') return event;
  if (!path.startsWith('$.')) return undefined;
  let current: unknown = event;
  for (const key of path.slice(2).split('.')) {
    const index = /^(.*)\[(\d+)\]$/.exec(key);
    current = isRecord(current) ? current[index ? index[1]! : key] : undefined;
    if (index) current = Array.isArray(current) ? current[Number(index[2])] : undefined;
  }
  return current;
}

function inserted(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value).replace(/"/g, '');
}

/** What the target receives: the template with every known placeholder filled. */
export function renderTransformer(transformer: Transformer, event: BusEvent, pageUrl: string, pageUrlNode?: unknown): string {
  let text = templateText(transformer.InputTemplate, pageUrl, pageUrlNode);
  for (const [name, path] of Object.entries(transformer.InputPathsMap)) {
    const value = valueAt(event, path);
    if (value === undefined) continue;
    text = text.split(`<${name}>`).join(inserted(value));
  }
  return text;
}

export interface Preview {
  family: string;
  detailType: string;
  /** The webhook's POST body, parsed: `{"text": "…"}`. */
  webhook: { text: string };
  /** The email's body. */
  email: string;
}

/** Both messages of one event, or undefined when no family notifies it (its detail type, or an initial change other than its scope's first). */
export function previewNotification(families: NotificationFamily[], event: BusEvent, pageUrl: string, pageUrlNode?: unknown): Preview | undefined {
  const detail = isRecord(event.detail) ? event.detail : {};
  const family = families.find((f) => f.detailTypes.includes(event['detail-type']) && (f.when?.(detail) ?? true));
  if (!family) return undefined;
  const body = renderTransformer(family.webhook, event, pageUrl, pageUrlNode);
  return {
    family: family.name,
    detailType: event['detail-type'],
    webhook: JSON.parse(body) as { text: string },
    email: renderTransformer(family.email, event, pageUrl, pageUrlNode),
  };
}
