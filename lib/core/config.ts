/**
 * Parsing helpers shared by every function's configuration: one rule per
 * variable, read in order over `process.env`; the first that fails becomes
 * one line naming the variable.
 *
 * Plain functions rather than a schema library: every cold start parses the
 * configuration, and building and running zod schemas for it cost more than
 * the rest of a function's own loading (BENCHMARKS.md, "Cold start"). A rule
 * is a function of the variable's text (undefined when unset or empty) that
 * returns the value or throws `invalid(message)`.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export type Env = Record<string, string | undefined>;

/** One variable's rule: its text (undefined when unset or empty) → its value; throws `invalid(…)` otherwise. */
export type Rule<T> = (value: string | undefined) => T;

/** The values a set of rules gives, by variable. */
export type Settings<R extends Record<string, Rule<unknown>>> = { [K in keyof R]: ReturnType<R[K]> };

/** What a rule throws: the message of the ConfigError that names its variable. */
class Invalid extends Error {}

export function invalid(message: string): never {
  throw new Invalid(message);
}

const REQUIRED = 'required but not set';

/** Reads every variable of `rules` from `env`, in order; the first invalid or missing one throws one ConfigError naming it. */
export function parseEnv<R extends Record<string, Rule<unknown>>>(rules: R, env: Env): Settings<R> {
  const out: Record<string, unknown> = {};
  for (const [variable, rule] of Object.entries(rules)) {
    // Empty strings mean "unset", as in a shell `VAR= command`.
    const text = env[variable];
    let value: unknown;
    try {
      value = rule(text === '' ? undefined : text);
    } catch (error: unknown) {
      if (error instanceof Invalid) throw new ConfigError(variable, error.message);
      throw error;
    }
    if (value !== undefined) out[variable] = value;
  }
  return out as Settings<R>;
}

/** A required text, matching `pattern` when one is given. */
export const text =
  (pattern?: RegExp, message = 'invalid value'): Rule<string> =>
  (value) => {
    if (value === undefined) return invalid(REQUIRED);
    if (pattern && !pattern.test(value)) return invalid(message);
    return value;
  };

/** The rule, or undefined when the variable is unset. */
export const optional =
  <T>(rule: Rule<T>): Rule<T | undefined> =>
  (value) =>
    value === undefined ? undefined : rule(value);

/** The rule, or `fallback` when the variable is unset. */
export const withDefault =
  <T>(rule: Rule<T>, fallback: T): Rule<T> =>
  (value) =>
    value === undefined ? fallback : rule(value);

/** One of `values`. */
export const oneOf =
  <const V extends readonly string[]>(values: V, message: string): Rule<V[number]> =>
  (value) => {
    if (value === undefined) return invalid(REQUIRED);
    if (!values.includes(value)) return invalid(message);
    return value as V[number];
  };

/** A whole number matching `pattern` (which bounds its digits), given as text. */
export const wholeNumber =
  (pattern: RegExp, message: string): Rule<number> =>
  (value) =>
    Number(text(pattern, message)(value));

export const httpUrl: Rule<string> = (value) => {
  if (value === undefined) return invalid(REQUIRED);
  const trimmed = value.trim();
  if (!(/^https?:\/\/[^\s/]+/i.test(trimmed) && URL.canParse(trimmed))) return invalid('expected an http(s) URL such as https://example.com');
  return trimmed.replace(/\/+$/, '');
};

/** A positive whole number given as text; `fallback` when unset. */
export const positiveInt =
  (fallback: number): Rule<number> =>
  (value) => {
    if (value === undefined) return fallback;
    const n = wholeNumber(/^\d+$/, 'expected a whole number')(value);
    return n > 0 ? n : invalid('expected a number above 0');
  };

/** A comma list, its parts trimmed; empty when unset. */
export const commaList: Rule<string[]> = (value) =>
  (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

/** Table, region and endpoint: what both functions need to reach DynamoDB. */
export const tableRules = {
  AWS_REGION: withDefault(text(), 'us-east-1'),
  TABLE_NAME: text(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)'),
  DYNAMODB_ENDPOINT: optional(httpUrl),
};
