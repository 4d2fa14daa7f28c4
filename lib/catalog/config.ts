/**
 * Configuration of the catalog function, parsed once at cold start; an invalid
 * value throws one ConfigError naming the variable.
 */
import { DEFAULT_RETENTION_DAYS } from '../core/limits';
import { commaList, httpUrl, invalid, optional, parseEnv, tableRules, wholeNumber, withDefault, type Env, type Settings } from '../core/config';
import { bucketNameSetting } from '../store/catalog-layout';

const count = (fallback: number) => withDefault(wholeNumber(/^\d{1,9}$/, 'expected a whole number (0 or more)'), fallback);

const ORIGIN = /^(\*|https?:\/\/[A-Za-z0-9*.-]+(:\d{1,5})?)$/;

const catalogRules = {
  ...tableRules,
  CORS_ORIGINS: (value: string | undefined): string[] => {
    const origins = commaList(value);
    if (!origins.every((o) => ORIGIN.test(o))) return invalid('expected * or a comma list of origins such as https://app.example.com');
    return origins.length > 0 ? origins : ['*'];
  },
  CATALOG_REVALIDATE_MS: count(2000),
  CATALOG_MAX_AGE_SECONDS: count(30),
  // The sync function's changeset retention: `GET /regions?at=` answers 410 for a time before it.
  CHANGES_RETENTION_DAYS: withDefault(wholeNumber(/^[1-9]\d{0,4}$/, 'expected a whole number of days (1 or more)'), DEFAULT_RETENTION_DAYS),
  // The catalog files' bucket (issue 20): `?at=` older than the retention is answered from its archive.
  CATALOG_BUCKET: optional(bucketNameSetting),
  S3_ENDPOINT: optional(httpUrl),
  // Where people read latest.json (the CDN, the public bucket, the local server): the page links to it.
  CATALOG_FILE_URL: optional(httpUrl),
};

export type CatalogConfig = Settings<typeof catalogRules>;

export function loadCatalogConfig(env: Env = process.env): CatalogConfig {
  return parseEnv(catalogRules, env);
}
