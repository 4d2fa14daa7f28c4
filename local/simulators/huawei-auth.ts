/**
 * The simulator's side of Huawei's AK/SK signing (lib/sync/sources/huawei-signer
 * signs; only the simulator reads a signature back): parsing the
 * `Authorization` header and the `X-Sdk-Date` it carries.
 */

/** The time an X-Sdk-Date names, or undefined when it does not parse. */
export function parseSdkDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(at) ? undefined : at;
}

/** Reads an `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header; undefined when it is not one. */
export function parseAuthorization(value: string): { accessKey: string; signedHeaders: string[]; signature: string } | undefined {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(value.trim());
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { accessKey: m[1], signedHeaders: m[2].split(';'), signature: m[3] };
}
