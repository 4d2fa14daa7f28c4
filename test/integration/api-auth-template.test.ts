/**
 * Who may read the HTTP API (`catalogAuth`, issue 22) in the packaged template:
 * public by default; with `iam` every route takes API Gateway's IAM authorizer,
 * with `jwt` every route takes one JWT authorizer of the given issuer and
 * audiences. "Every route" is checked two ways: each route resource of the
 * template, and each path and method the served OpenAPI document lists (the
 * page, Atom, the JSON, the schemas, OpenAPI itself) as API Gateway would
 * route it (its own route key, else `$default`). Bad values stop the package
 * naming the parameter; cfn-lint passes in each mode.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openapiDocument } from '../../lib/catalog/openapi';
import { evaluator, packageWith, type Json, type Packaged } from './notifications-template';

const require = createRequire(import.meta.url);
type Resolver = (o: { resolveVariable: (v: string) => Promise<string> }) => Promise<unknown>;
const apiAuth = require('../../deploy/api-auth.cjs') as Record<string, Resolver>;

const ISSUER = 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Example';
const AUDIENCES = ['catalog-readers', 'https://catalog.example.com'];

let iam: Packaged;
let jwt: Packaged;
beforeAll(async () => {
  iam = await packageWith({ catalogAuth: 'iam' });
  jwt = await packageWith({ catalogAuth: 'jwt', catalogJwtIssuer: ISSUER, catalogJwtAudience: AUDIENCES.join(',') });
}, 400_000);
afterAll(() => {
  iam?.close();
  jwt?.close();
});

interface Route {
  id: string;
  key: string;
  authorizationType: Json;
  authorizerId: Json | undefined;
}

/** Every route a deployment with these parameter values creates, as CloudFormation would set it. */
function routes(p: Packaged, overrides: Record<string, string> = {}): Route[] {
  return Object.entries(evaluator(p.template, overrides).deployed())
    .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map(([id, r]) => ({ id, key: String(r.Properties.RouteKey), authorizationType: r.Properties.AuthorizationType ?? 'NONE', authorizerId: r.Properties.AuthorizerId }));
}

/** The route API Gateway picks for a request: the route key of that method and path template, else `$default`. */
function routeFor(all: Route[], method: string, pathTemplate: string): Route {
  const exact = all.find((r) => r.key === `${method.toUpperCase()} ${pathTemplate}`);
  const fallback = all.find((r) => r.key === '$default');
  const route = exact ?? fallback;
  if (!route) throw new Error(`no route serves ${method} ${pathTemplate}`);
  return route;
}

/** Every method and path the catalog serves, from its OpenAPI document (an independent list of the routes). */
const served = Object.entries(openapiDocument().paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((m) => ['get', 'head', 'options'].includes(m))
    .map((m) => [m, path] as const),
);

describe('who may read the HTTP API', () => {
  it('serves the page, Atom, the JSON, the schemas and OpenAPI (the OpenAPI paths this checks)', () => {
    const paths = new Set(served.map(([, p]) => p));
    for (const p of ['/', '/changes.atom', '/regions', '/sources', '/changes', '/schemas', '/openapi.json']) expect(paths).toContain(p);
  });

  it('is public by default: every route without an authorizer, and no authorizer deployed', () => {
    const all = routes(iam, { CatalogAuth: '' });
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.map((r) => r.authorizationType)).toEqual(all.map(() => 'NONE'));
    expect(Object.values(evaluator(jwt.template, { CatalogAuth: '' }).deployed()).filter((r) => r.Type === 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  });

  it('with catalogAuth=iam, puts the IAM authorizer on every route and every served path', () => {
    const all = routes(iam);
    expect(all.filter((r) => r.authorizationType !== 'AWS_IAM')).toEqual([]);
    expect(all.map((r) => r.key)).toContain('$default');
    for (const [method, path] of served) expect(routeFor(all, method, path).authorizationType, `${method} ${path}`).toBe('AWS_IAM');
    expect(Object.values(evaluator(iam.template).deployed()).filter((r) => r.Type === 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  });

  it('with catalogAuth=jwt, puts one JWT authorizer of that issuer and those audiences on every route and every served path', () => {
    const deployed = evaluator(jwt.template).deployed();
    const authorizers = Object.entries(deployed).filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [[authorizerId, authorizer]] = authorizers as unknown as [[string, { Properties: Record<string, Json> }]];
    expect(jwt.template.Resources[authorizerId]?.Properties?.ApiId).toEqual({ Ref: 'HttpApi' });
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    const config = authorizer.Properties.JwtConfiguration as { Issuer: string; Audience: string };
    expect(config.Issuer).toBe(ISSUER);
    // CommaDelimitedList: the evaluator keeps the parameter's text; CloudFormation splits it.
    expect(String(config.Audience).split(',')).toEqual(AUDIENCES);
    const all = routes(jwt);
    expect(all.filter((r) => r.authorizationType !== 'JWT' || JSON.stringify(r.authorizerId) !== JSON.stringify({ Ref: authorizerId }))).toEqual([]);
    for (const [method, path] of served) expect(routeFor(all, method, path).authorizationType, `${method} ${path}`).toBe('JWT');
  });

  it('leaves no route of the template without the authorizer, whatever serverless generated', () => {
    const generated = Object.values(jwt.template.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Route');
    expect(generated.length).toBe(routes(jwt).length);
    for (const r of generated) expect(r.Properties).toHaveProperty('AuthorizationType');
  });

  const lint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  it.skipIf(lint.error !== undefined || lint.status !== 0)('passes cfn-lint in each mode (W3005, from osls itself, ignored)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-auth-lint-'));
    try {
      for (const [name, p] of [['iam', iam], ['jwt', jwt]] as const) {
        const file = join(dir, `${name}.json`);
        writeFileSync(file, p.text);
        const run = spawnSync('cfn-lint', [file, '--ignore-checks', 'W3005'], { encoding: 'utf8', timeout: 90_000 });
        expect(run.stdout + run.stderr, name).toBe('');
        expect(run.status, name).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('bad catalogAuth parameters', () => {
  const resolve = (params: Record<string, string>) => ({ resolveVariable: async (v: string) => params[/^param:(\w+)/.exec(v)?.[1] ?? ''] ?? '' });
  it.each([
    ['mode', { catalogAuth: 'cognito' }, /^catalogAuth: expected iam or jwt \(or empty for a public API\), got 'cognito'$/],
    ['jwtIssuer', { catalogAuth: 'jwt', catalogJwtAudience: 'a' }, /^catalogJwtIssuer: required with catalogAuth=jwt/],
    ['jwtAudience', { catalogAuth: 'jwt', catalogJwtIssuer: ISSUER }, /^catalogJwtAudience: required with catalogAuth=jwt/],
    ['jwtIssuer', { catalogAuth: 'jwt', catalogJwtIssuer: 'http://issuer.example.com', catalogJwtAudience: 'a' }, /^catalogJwtIssuer: expected the issuer's https URL/],
    ['jwtIssuer', { catalogAuth: 'jwt', catalogJwtIssuer: 'issuer.example.com', catalogJwtAudience: 'a' }, /^catalogJwtIssuer: expected the issuer's https URL/],
    ['jwtIssuer', { catalogAuth: 'iam', catalogJwtIssuer: ISSUER }, /^catalogJwtIssuer: only with catalogAuth=jwt$/],
    ['jwtAudience', { catalogAuth: 'jwt', catalogJwtIssuer: ISSUER, catalogJwtAudience: 'a b' }, /^catalogJwtAudience: 'a b' is not an audience/],
  ] as [string, Record<string, string>, RegExp][])('%s with %j stops the package naming the parameter', async (name, params, message) => {
    await expect(apiAuth[name]!(resolve(params))).rejects.toThrow(message);
  });

  it('takes iam, jwt (any case) and empty, and gives the audiences as a comma list', async () => {
    await expect(apiAuth.mode!(resolve({ catalogAuth: 'IAM' }))).resolves.toBe('iam');
    await expect(apiAuth.mode!(resolve({}))).resolves.toBe('');
    await expect(apiAuth.jwtAudience!(resolve({ catalogAuth: 'jwt', catalogJwtAudience: ' a , b,a ' }))).resolves.toBe('a,b');
  });

  it('stops a real `serverless package` with that line', async () => {
    const failure = await packageWith({ catalogAuth: 'jwt', catalogJwtIssuer: 'http://issuer.example.com', catalogJwtAudience: 'x' }).then(
      (p) => (p.close(), undefined),
      (error: unknown) => error as { stdout?: string; stderr?: string },
    );
    expect(`${failure?.stdout ?? ''}${failure?.stderr ?? ''}`).toContain("catalogJwtIssuer: expected the issuer's https URL");
  }, 300_000);
});
