/**
 * An S3-compatible server on this machine for the catalog files (s3rver, from
 * npm): `npm start`, `npm run sync` and the tests write the very objects a
 * deployment writes to its bucket, and anyone reads them anonymously over
 * HTTP. It ignores conditional writes (If-Match / If-None-Match) and does not
 * return a stored Cache-Control: the race rule of latest.json is tested
 * against moto's S3 as well (test/integration/catalog-files-moto.test.ts).
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface LocalS3 {
  /** The endpoint the SDK is given (path-style). */
  endpoint: string;
  bucket: string;
  /** The anonymous URL of an object. */
  url(key: string): string;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  bucket: string;
  /** Keep the objects in this directory (npm start, npm run sync); a temporary one, removed on stop, otherwise. */
  directory?: string;
  port?: number;
}

export async function startLocalS3({ bucket, directory, port = 0 }: LocalS3Options): Promise<LocalS3> {
  const dir = directory ?? mkdtempSync(join(tmpdir(), 'region-sync-s3-'));
  mkdirSync(dir, { recursive: true });
  // The fault proxy (local/s3-fault-proxy) forwards requests with its own Host: signatures are not checked.
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: [{ name: bucket }], allowMismatchedSignatures: true, vhostBuckets: false });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    url: (key) => `${endpoint}/${bucket}/${key}`,
    stop: async () => {
      // The SDK keeps connections alive: close them, or close() waits for their timeout.
      server.httpServer?.closeAllConnections();
      await server.close().catch(() => undefined);
      if (!directory) rmSync(dir, { recursive: true, force: true });
    },
  };
}
