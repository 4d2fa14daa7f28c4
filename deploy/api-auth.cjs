/**
 * Resolves who may read the HTTP API for serverless.yml at package time
 * (`${file(./deploy/api-auth.cjs):…}`), so a bad value stops `serverless
 * package` with one line naming the parameter, before any template exists:
 * - catalogAuth: empty (public, the default), `iam` (API Gateway's IAM
 *   authorizer: SigV4-signed requests of principals allowed execute-api:Invoke)
 *   or `jwt` (a JWT authorizer);
 * - catalogJwtIssuer: with jwt only, and required then: the issuer's https URL
 *   (API Gateway fetches its keys from `<issuer>/.well-known/openid-configuration`);
 * - catalogJwtAudience: with jwt only, and required then: a comma list of the
 *   audiences (`aud`, or `client_id` for some issuers) a token must carry.
 * deploy/plugin.cjs puts the authorizer on every route of the HTTP API, so no
 * route (the page, Atom, the JSON, OpenAPI, the `$default` catch-all) is left public.
 */
'use strict';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS: serverless.yml loads this file with require()
const { URL } = require('node:url');

const MODES = ['', 'iam', 'jwt'];
// API Gateway's limits: an issuer is an https URL; an audience is a client id or a URL, no commas or spaces.
const AUDIENCE = /^[^\s,]{1,256}$/;

async function param(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}, ''`);
  return value === null || value === undefined ? '' : String(value).trim();
}

async function mode(resolveVariable) {
  const raw = await param(resolveVariable, 'catalogAuth');
  const value = raw.toLowerCase() === 'none' ? '' : raw.toLowerCase();
  if (!MODES.includes(value)) throw new Error(`catalogAuth: expected iam or jwt (or empty for a public API), got '${raw.slice(0, 40)}'`);
  return value;
}

async function issuer(resolveVariable) {
  const value = await param(resolveVariable, 'catalogJwtIssuer');
  if ((await mode(resolveVariable)) !== 'jwt') {
    if (value !== '') throw new Error('catalogJwtIssuer: only with catalogAuth=jwt');
    return '';
  }
  if (value === '') throw new Error('catalogJwtIssuer: required with catalogAuth=jwt (the https URL of the token issuer)');
  let url;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.username || url.password || url.search || url.hash) {
    throw new Error(`catalogJwtIssuer: expected the issuer's https URL (such as https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example), got '${value.slice(0, 80)}'`);
  }
  return value;
}

async function audience(resolveVariable) {
  const raw = await param(resolveVariable, 'catalogJwtAudience');
  if ((await mode(resolveVariable)) !== 'jwt') {
    if (raw !== '') throw new Error('catalogJwtAudience: only with catalogAuth=jwt');
    return '';
  }
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new Error('catalogJwtAudience: required with catalogAuth=jwt (a comma list of the audiences a token must carry)');
  const bad = list.find((a) => !AUDIENCE.test(a));
  if (bad !== undefined) throw new Error(`catalogJwtAudience: '${bad.slice(0, 40)}' is not an audience (no spaces, at most 256 characters)`);
  return [...new Set(list)].join(',');
}

module.exports = {
  MODES,
  /** '' (public), 'iam' or 'jwt'. */
  mode: async ({ resolveVariable }) => mode(resolveVariable),
  /** The issuer URL with jwt, else ''. */
  jwtIssuer: async ({ resolveVariable }) => issuer(resolveVariable),
  /** Comma list of audiences with jwt, else ''. */
  jwtAudience: async ({ resolveVariable }) => audience(resolveVariable),
};
