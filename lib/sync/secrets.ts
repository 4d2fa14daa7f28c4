/**
 * Secrets from SSM Parameter Store. A deployed function gets only parameter
 * names (`ZILLIZ_API_KEY_PARAM`, …); their SecureString values are read with
 * one GetParameters call before the first pass, registered with the log
 * redactor, and kept for `SECRETS_CACHE_SECONDS` (15 min) so a rotated secret
 * is picked up without a redeploy. Locally the plain variables
 * (`ZILLIZ_API_KEY`, …) keep working and nothing is fetched.
 *
 * Not @middy/ssm (6.4): it JSON-parses values that start with `{`, `[` or `"`
 * (a password `"abc"` would lose its quotes), reports a missing parameter as
 * "Failed to resolve internal values" with the name buried in `cause`, and
 * leaves a non-unref'd refresh timer that keeps a local process alive.
 */
import { GetParametersCommand, SSMClient, type Parameter } from '@aws-sdk/client-ssm';
import { ConfigError, httpUrl, optional, parseEnv, positiveInt, text, withDefault, type Env } from '../core/config';
import { registerSecret, type Logger } from '../core/log';
import { SECRET_PARAMS, secretsUsed, type SecretVariable } from './config';

export { SECRET_PARAMS, type SecretVariable };
export type SecretValues = Partial<Record<SecretVariable, string>>;

// A fully qualified name: the template builds the IAM resource as `…:parameter<name>`.
const parameterName = optional(text(/^\/[A-Za-z0-9_.\-/]{1,1010}$/, 'expected an SSM parameter name such as /region-sync/prod/zilliz-api-key'));

const rules = {
  AWS_REGION: withDefault(text(), 'us-east-1'),
  SSM_ENDPOINT: optional(httpUrl),
  SECRETS_CACHE_SECONDS: positiveInt(900),
  ZILLIZ_API_KEY_PARAM: parameterName,
  HUAWEI_PASSWORD_PARAM: parameterName,
  HUAWEI_AUTH_TOKEN_PARAM: parameterName,
  HUAWEI_SECRET_KEY_PARAM: parameterName,
};

export interface SecretSettings {
  region: string;
  endpoint: string | undefined;
  cacheMs: number;
  /** Secret variable → SSM parameter name, for each `*_PARAM` that is set. */
  parameters: Partial<Record<SecretVariable, string>>;
}

/**
 * Which secrets come from SSM. A parameter is read only when its secret is
 * used, as lib/sync/config.ts's secretsUsed decides (the one place that knows
 * the sources and the Huawei precedence), and no plain variable gives the
 * value already (so `serverless invoke local --env ZILLIZ_API_KEY=…` works
 * beside the template's parameter names; a deployed function never has plain
 * secrets).
 */
export function secretSettings(env: Env): SecretSettings {
  const e = parseEnv(rules, env);
  const used = secretsUsed(env, (variable) => Boolean(env[variable] || e[SECRET_PARAMS[variable]]));
  const parameters: SecretSettings['parameters'] = {};
  for (const variable of used) {
    const name = e[SECRET_PARAMS[variable]];
    if (name !== undefined && !env[variable]) parameters[variable] = name;
  }
  return { region: e.AWS_REGION, endpoint: e.SSM_ENDPOINT, cacheMs: e.SECRETS_CACHE_SECONDS * 1000, parameters };
}

/** SSM could not be read at all (denied, throttled, unreachable); names the parameters, never a value. */
export class SecretsError extends Error {
  override name = 'SecretsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface SecretStore {
  /** The secret values by variable: cached while fresh, one GetParameters call otherwise. */
  get(): Promise<SecretValues>;
  destroy(): void;
}

export interface SecretStoreOptions {
  log?: Logger;
  now?: () => number;
}

export function createSecretStore(settings: SecretSettings, options: SecretStoreOptions = {}): SecretStore {
  const wanted = Object.entries(settings.parameters) as [SecretVariable, string][];
  const now = options.now ?? Date.now;
  let client: SSMClient | undefined;
  let cached: { values: SecretValues; until: number } | undefined;
  let inflight: Promise<SecretValues> | undefined;

  async function fetchValues(): Promise<SecretValues> {
    client ??= new SSMClient({
      region: settings.region,
      maxAttempts: 3,
      ...(settings.endpoint ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    const names = [...new Set(wanted.map(([, name]) => name))];
    let found: Parameter[];
    let invalid: string[];
    try {
      const out = await client.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
      found = out.Parameters ?? [];
      invalid = out.InvalidParameters ?? [];
    } catch (error: unknown) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new SecretsError(`could not read SSM parameters ${names.join(', ')}: ${reason}`, { cause: error });
    }
    const values: SecretValues = {};
    for (const [variable, name] of wanted) {
      const parameter = found.find((p) => p.Name === name);
      if (invalid.includes(name) || parameter?.Value === undefined) {
        throw new ConfigError(SECRET_PARAMS[variable], `SSM parameter ${name} not found; create it with aws ssm put-parameter --type SecureString`);
      }
      // Registered before anything else can log it.
      registerSecret(parameter.Value);
      if (parameter.Type !== 'SecureString') options.log?.warn('secret parameter is not a SecureString', { parameter: name, type: parameter.Type });
      values[variable] = parameter.Value;
    }
    return values;
  }

  async function refresh(): Promise<SecretValues> {
    try {
      const values = await fetchValues();
      cached = { values, until: now() + settings.cacheMs };
      return values;
    } catch (error: unknown) {
      // A failed refresh keeps the last good values: better a pass with an old secret than none.
      if (!cached) throw error;
      options.log?.warn('secret refresh failed; keeping the cached values', { error });
      return cached.values;
    }
  }

  return {
    get() {
      if (wanted.length === 0) return Promise.resolve({});
      if (cached && now() < cached.until) return Promise.resolve(cached.values);
      inflight ??= refresh().finally(() => (inflight = undefined));
      return inflight;
    },
    destroy() {
      client?.destroy();
    },
  };
}
