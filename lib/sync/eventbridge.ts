/**
 * The EventBridge client: the only module that constructs it, so the local
 * stack and the tests point it at the local PutEvents receiver.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

export function createEventBridgeClient({ region, endpoint }: { region: string; endpoint?: string | undefined }): EventBridgeClient {
  return new EventBridgeClient({
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
    // The SDK sets no timeout of its own: a hung call must not hold the pass until the Lambda timeout.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
  });
}
