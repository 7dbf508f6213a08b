import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HMAC-SHA256 of the raw body with the channel secret, base64, compared in constant time.
 *
 * https://developers.line.biz/en/reference/messaging-api/#signature-validation
 */
export function verifySignature(
  body: Buffer,
  channelSecret: string,
  signature: string | string[] | undefined,
): boolean {
  if (typeof signature !== "string" || signature.length === 0 || signature.length > 128) return false;
  const expected = createHmac("sha256", channelSecret).update(body).digest();
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
