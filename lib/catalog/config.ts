/**
 * Configuration of the catalog function, parsed once at cold start; an invalid
 * value throws one ConfigError naming the variable.
 */
import { DEFAULT_RETENTION_DAYS } from '../core/limits';
import * as z from 'zod';
import { commaList, httpUrl, parseEnv, tableSchema, type Env } from '../core/config';
import { isValidBucketName } from '../store/catalog-layout';

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
  // The catalog files' bucket (issue 20): `?at=` older than the retention is answered from its archive.
  CATALOG_BUCKET: z.string().refine(isValidBucketName, { message: 'expected an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)' }).optional(),
  S3_ENDPOINT: httpUrl.optional(),
  // Where people read latest.json (the CDN, the public bucket, the local server): the page links to it.
  CATALOG_FILE_URL: httpUrl.optional(),
});

export type CatalogConfig = z.output<typeof catalogSchema>;

export function loadCatalogConfig(env: Env = process.env): CatalogConfig {
  return parseEnv(catalogSchema, env);
}
