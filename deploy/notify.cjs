/**
 * Resolves the notification parameters for serverless.yml at package time
 * (`${file(./deploy/notify.cjs):…}`), so a bad value stops `serverless
 * package` with one line naming the parameter, before any template exists:
 * - notifyWebhookUrl must be empty or a `{{resolve:secretsmanager:…}}`
 *   reference: the URL is a secret and never enters the template literally;
 * - notifyEmail must be empty or an address;
 * - notifyDetailTypes (a comma list, empty = all) is split into the detail
 *   types of each rule family (each family has its own readable line);
 *   the changes of a scope's first sync (`initial`) are left out of the
 *   region family and told once per scope by a rule of their own.
 */
'use strict';

// Generated from lib/core/detail-types.ts (scripts/gen-deploy-constants.ts; a test keeps it current): never a copied name.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS: serverless.yml loads this file with require()
const { families: FAMILIES } = require('./detail-types.json');
const ALL = Object.values(FAMILIES).flat();
const SECRET_REFERENCE = /^\{\{resolve:secretsmanager:[^{}\s]+\}\}$/;
const EMAIL = /^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/;

async function param(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}, ''`);
  return value === null || value === undefined ? '' : String(value).trim();
}

async function selected(resolveVariable) {
  const raw = await param(resolveVariable, 'notifyDetailTypes');
  if (raw === '' || raw === 'all') return ALL;
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = list.filter((t) => !ALL.includes(t));
  if (unknown.length > 0) throw new Error(`notifyDetailTypes: unknown detail type ${unknown.map((t) => `'${t}'`).join(', ')}; expected a comma list of ${ALL.join(', ')}`);
  return list;
}

async function webhookReference(resolveVariable) {
  const value = await param(resolveVariable, 'notifyWebhookUrl');
  // The value is never echoed: it may be the very URL that must stay secret.
  if (value !== '' && !SECRET_REFERENCE.test(value)) {
    throw new Error('notifyWebhookUrl: expected a {{resolve:secretsmanager:<secret id>:SecretString:<json key>}} reference, not the URL itself (the webhook URL is a secret)');
  }
  return value;
}

const family = (name) => async ({ resolveVariable }) => (await selected(resolveVariable)).filter((t) => FAMILIES[name].includes(t)).join(',');

module.exports = {
  FAMILIES,
  ALL,
  SECRET_REFERENCE,
  /** The reference for the API destination; 'unset' (not a URL) while no webhook is deployed. */
  webhookEndpoint: async ({ resolveVariable }) => (await webhookReference(resolveVariable)) || 'unset',
  /** 'yes' when a webhook is deployed (the template's condition), else ''. */
  webhook: async ({ resolveVariable }) => ((await webhookReference(resolveVariable)) ? 'yes' : ''),
  email: async ({ resolveVariable }) => {
    const value = await param(resolveVariable, 'notifyEmail');
    if (value !== '' && !EMAIL.test(value)) throw new Error(`notifyEmail: expected one email address, got '${value.slice(0, 60)}'`);
    return value;
  },
  regionTypes: family('region'),
  changedTypes: family('changed'),
  scopeTypes: family('scope'),
  schemaTypes: family('schema'),
  /** 'Region Added' when additions are notified: a scope's first sync is then told once (its own rule), else ''. */
  initialTypes: async ({ resolveVariable }) => ((await selected(resolveVariable)).includes('Region Added') ? 'Region Added' : ''),
};
