/**
 * Lambda entry point of the catalog API (regions, sources, the change feed).
 * The configuration is parsed here, at module load: a bad setting fails the
 * cold start with one line naming the variable, instead of answering 500 to
 * every request. The handler is built by lib/catalog/handler.
 */
import { loadCatalogConfig } from '../lib/catalog/config';
import { catalogHandlerFromConfig } from '../lib/catalog/handler';

export const handler = catalogHandlerFromConfig(loadCatalogConfig());
