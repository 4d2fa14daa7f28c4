// The catalog function's configuration (lib/catalog/config.ts): defaults, values, one error naming the variable.
import { describe, expect, it } from 'vitest';
import { loadCatalogConfig } from '../../../lib/catalog/config';

describe('catalog configuration', () => {
  it('applies defaults', () => {
    expect(loadCatalogConfig({ TABLE_NAME: 'region-sync-dev', CORS_ORIGINS: '' })).toEqual({
      AWS_REGION: 'us-east-1',
      TABLE_NAME: 'region-sync-dev',
      CORS_ORIGINS: ['*'],
      CATALOG_REVALIDATE_MS: 2000,
      CATALOG_MAX_AGE_SECONDS: 30,
      CHANGES_RETENTION_DAYS: 30,
    });
  });

  it('reads the changes retention and names it when invalid', () => {
    expect(loadCatalogConfig({ TABLE_NAME: 'region-sync-dev', CHANGES_RETENTION_DAYS: '7' }).CHANGES_RETENTION_DAYS).toBe(7);
    expect(() => loadCatalogConfig({ TABLE_NAME: 'region-sync-dev', CHANGES_RETENTION_DAYS: '0' })).toThrow(/CHANGES_RETENTION_DAYS/);
  });

  it('reads the catalog bucket by S3\'s naming rules', () => {
    expect(loadCatalogConfig({ TABLE_NAME: 'region-sync-dev', CATALOG_BUCKET: 'region-sync-catalog' }).CATALOG_BUCKET).toBe('region-sync-catalog');
  });

  it('reads origins and numbers', () => {
    const config = loadCatalogConfig({
      TABLE_NAME: 'region-sync-dev',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      CATALOG_REVALIDATE_MS: '0',
      CATALOG_MAX_AGE_SECONDS: '120',
    });
    expect(config).toMatchObject({ CORS_ORIGINS: ['https://app.example.com', 'http://localhost:5173'], CATALOG_REVALIDATE_MS: 0, CATALOG_MAX_AGE_SECONDS: 120 });
  });

  it.each([
    [{}, /^TABLE_NAME: /],
    [{ TABLE_NAME: 'ok-table', CATALOG_REVALIDATE_MS: '2s' }, /^CATALOG_REVALIDATE_MS: expected a whole number/],
    [{ TABLE_NAME: 'ok-table', CATALOG_MAX_AGE_SECONDS: '-1' }, /^CATALOG_MAX_AGE_SECONDS: /],
    [{ TABLE_NAME: 'ok-table', CORS_ORIGINS: 'app.example.com' }, /^CORS_ORIGINS: expected \* or a comma list of origins/],
    [{ TABLE_NAME: 'ok-table', DYNAMODB_ENDPOINT: 'localhost:8000' }, /^DYNAMODB_ENDPOINT: /],
    [{ TABLE_NAME: 'ok-table', CATALOG_BUCKET: 'My_Bucket' }, /^CATALOG_BUCKET: expected an S3 bucket name/],
  ])('%o fails naming the variable', (env, message) => {
    expect(() => loadCatalogConfig(env)).toThrow(message);
  });
});
