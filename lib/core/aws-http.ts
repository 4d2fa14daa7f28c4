/**
 * How every AWS SDK client of region-sync talks HTTP. The SDK sets no timeout
 * of its own, and its `requestTimeout` alone only logs a warning
 * (`@smithy/node-http-handler`): without `throwOnRequestTimeout` a hung call
 * would hold a pass, or a delivery, until the Lambda timeout. With it, the
 * call fails with a `TimeoutError`, which the SDK's retry strategy retries.
 */
export const AWS_HTTP = { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true } as const;
