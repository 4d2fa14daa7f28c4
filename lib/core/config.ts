/**
 * Parsing helpers shared by every function's configuration: a zod schema over
 * `process.env` whose first failure becomes one line naming the variable.
 */
import * as z from 'zod';

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

/** Parses `env` with `schema`; an invalid or missing variable throws one ConfigError naming it. */
export function parseEnv<T extends z.ZodType>(schema: T, env: Env): z.output<T> {
  // Empty strings mean "unset", as in a shell `VAR= command`.
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) cleaned[key] = value === '' ? undefined : value;
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  const message = issue?.message ?? 'invalid value';
  throw new ConfigError(variable, /received undefined/.test(message) ? 'required but not set' : message);
}

export const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\/[^\s/]+/i.test(value) && URL.canParse(value), {
    message: 'expected an http(s) URL such as https://example.com',
  })
  .transform((value) => value.replace(/\/+$/, ''));

/** A positive whole number given as text. */
export const positiveInt = (fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'expected a whole number' })
    .transform(Number)
    .refine((n) => n > 0, { message: 'expected a number above 0' })
    .optional()
    .transform((n) => n ?? fallback);

export const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  );

/** Table, region and endpoint: what both functions need to reach DynamoDB. */
export const tableSchema = z.object({
  AWS_REGION: z.string().default('us-east-1'),
  TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, { message: 'expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)' }),
  DYNAMODB_ENDPOINT: httpUrl.optional(),
});
