/**
 * The S3 client of the catalog files, loaded on first use: a deployment
 * without `catalogBucket` never evaluates @aws-sdk/client-s3, so its cold
 * start does not pay for it (the bundle holds the module; only its first
 * use runs it). The one module that constructs the client.
 */
import type * as ClientS3 from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { AWS_HTTP } from '../core/aws-http';

export type S3Module = typeof ClientS3;

export interface S3Options {
  region: string;
  /** An S3-compatible endpoint (the local server, moto): path-style addressing and its fixed credentials. */
  endpoint?: string | undefined;
  /** Per-request timeout (ms); tests shorten it. */
  requestTimeoutMs?: number;
}

let loading: Promise<S3Module> | undefined;

/** The SDK module, imported once per process. */
export function s3Module(): Promise<S3Module> {
  loading ??= import('@aws-sdk/client-s3');
  return loading;
}

export async function createS3Client({ region, endpoint, requestTimeoutMs = 5_000 }: S3Options): Promise<S3Client> {
  const { S3Client: Client } = await s3Module();
  return new Client({
    region,
    ...(endpoint ? { endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } : {}),
    maxAttempts: 3,
    // As for DynamoDB: the SDK sets no timeout of its own, and a hung write must not hold the pass.
    requestHandler: { ...AWS_HTTP, requestTimeout: requestTimeoutMs },
  });
}

/** The HTTP status of an SDK error (404 of a HeadObject, 412 of a failed condition), if it carries one. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
