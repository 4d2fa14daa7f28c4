/**
 * A catalog-files bucket on a local S3 (s3rver) for one test file: started
 * before its tests, stopped after them, and emptied between property runs
 * (a run's archive must not see the one before).
 */
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { createS3Client } from '../../lib/store/s3';
import { startLocalS3, type LocalS3 } from '../../local/s3';

export interface ArchiveBucket {
  /** The bucket as the writer and the archive reader take it. */
  readonly files: { s3: S3Client; bucket: string };
  empty(): Promise<void>;
}

export function useArchiveBucket(name: string): ArchiveBucket {
  let s3: LocalS3 | undefined;
  let client: S3Client | undefined;
  beforeAll(async () => {
    s3 = await startLocalS3({ bucket: name });
    client = await createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });
  const files = () => {
    if (!s3 || !client) throw new Error('the archive bucket is used before its beforeAll ran');
    return { s3: client, bucket: s3.bucket };
  };
  return {
    get files() {
      return files();
    },
    async empty() {
      const { s3: c, bucket } = files();
      const listed = await c.send(new ListObjectsV2Command({ Bucket: bucket }));
      if (listed.Contents?.length) await c.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: listed.Contents.map((o) => ({ Key: o.Key! })) } }));
    },
  };
}
