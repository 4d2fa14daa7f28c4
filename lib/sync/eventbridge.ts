/**
 * The EventBridge client: the only module that constructs it, so the local
 * stack and the tests point it at the local PutEvents receiver.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AWS_HTTP } from '../core/aws-http';

export function createEventBridgeClient({ region, endpoint }: { region: string; endpoint?: string | undefined }): EventBridgeClient {
  return new EventBridgeClient({
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
    // A hung call fails after 5 s (and is retried) instead of holding the pass until the Lambda timeout.
    requestHandler: AWS_HTTP,
  });
}
