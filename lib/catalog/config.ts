/**
 * Configuration of the catalog function, parsed once at cold start; an invalid
 * value throws one ConfigError naming the variable.
 */
import { DEFAULT_RETENTION_DAYS } from '../core/limits';
import * as z from 'zod';
import { commaList, parseEnv, tableSchema, type Env } from '../core/config';

const wholeNumber = (fallback: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, { message: 'expected a whole number (0 or more)' })
    .transform(Number)
    .optional()
    .transform((n) => n ?? fallback);

const ORIGIN = /^(\*|https?:\/\/[A-Za-z0-9*.-]+(:\d{1,5})?)$/;

const catalogSchema = tableSchema.extend({
  CORS_ORIGINS: commaList
    .refine((origins) => origins.every((o) => ORIGIN.test(o)), {
      message: 'expected * or a comma list of origins such as https://app.example.com',
    })
    .transform((origins) => (origins.length > 0 ? origins : ['*'])),
  CATALOG_REVALIDATE_MS: wholeNumber(2000),
  CATALOG_MAX_AGE_SECONDS: wholeNumber(30),
  // The sync function's changeset retention: `GET /regions?at=` answers 410 for a time before it.
  CHANGES_RETENTION_DAYS: z
    .string()
    .regex(/^[1-9]\d{0,4}$/, { message: 'expected a whole number of days (1 or more)' })
    .transform(Number)
    .optional()
    .transform((n) => n ?? DEFAULT_RETENTION_DAYS),
});

export type CatalogConfig = z.output<typeof catalogSchema>;

export function loadCatalogConfig(env: Env = process.env): CatalogConfig {
  return parseEnv(catalogSchema, env);
}
