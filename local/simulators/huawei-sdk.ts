/**
 * Huawei's own signer as a witness: the `Authorization` that the official Node
 * SDK (`@huaweicloud/huaweicloud-sdk-core`, AKSKSigner) computes for a request.
 * The ModelArts simulator verifies every AK/SK signature with it, and the
 * signer's differential test compares the project's signer with it, so an
 * error in the project's canonical form cannot pass as its own witness.
 * A devDependency: only local/, bench/ and test/ import this module.
 *
 * The SDK signs a request as its clients build it: the path as written (not
 * percent-encoded; it encodes each segment itself), the query as a map of
 * decoded keys to values, every header given, and the body as `JSON.stringify`
 * of the request's `data`.
 */
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';

export interface SdkSignable {
  method: string;
  /** Host (and port) as the Host header carries it. */
  host: string;
  /** The path, percent-decoded. */
  path: string;
  /** Decoded query pairs; a repeated key is a list of values for the SDK. */
  query: Array<readonly [string, string]>;
  /** The headers to sign (X-Sdk-Date among them, any case); host is added. */
  headers: Record<string, string>;
  /** The request's data: the SDK signs `JSON.stringify(data)`, or the empty body when absent. */
  data?: unknown;
}

/** The `Authorization` header the official SDK computes for this request and key pair. */
export function sdkAuthorization(request: SdkSignable, accessKey: string, secretKey: string): string {
  // No prototype: a key such as `__proto__` is a query key like any other.
  const queryParams = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of request.query) {
    const had = queryParams[key];
    queryParams[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  // The SDK reads the date only under this exact key; any other spelling would make it sign the current time.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase() === 'x-sdk-date' ? 'X-Sdk-Date' : name.toLowerCase()] = value;
  headers.host = request.host;
  const signed = AKSKSigner.sign(
    { method: request.method, endpoint: `http://${request.host}${request.path}`, queryParams, headers, data: request.data },
    new BasicCredentials().withAk(accessKey).withSk(secretKey),
  ) as Record<string, string>;
  return signed.Authorization ?? '';
}

/** A request path as the gateway reads it: percent-decoded whole, an escape that is not UTF-8 left as written. */
export function decodePath(path: string): string {
  return path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
