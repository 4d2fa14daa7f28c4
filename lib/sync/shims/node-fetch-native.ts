/**
 * Bundling shim, used only by the Lambda bundles (serverless.yml, esbuild
 * `alias`): ofetch's Node build imports node-fetch-native as a fallback for
 * runtimes without fetch, 115 KB that Lambda's Node 22 never runs since it has
 * fetch built in. This hands ofetch the built-ins instead.
 */
export default globalThis.fetch;
export const fetch = globalThis.fetch;
export const Headers = globalThis.Headers;
export const AbortController = globalThis.AbortController;
