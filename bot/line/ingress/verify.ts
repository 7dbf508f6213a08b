import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * HMAC-SHA256 of the raw body with the channel secret, base64, compared in constant time as
 * canonical base64 text: Node's decoder skips junk (`…=junk`, spaces, `-_`), so comparing decoded
 * bytes accepted many spellings of one signature.
 *
 * https://developers.line.biz/en/reference/messaging-api/#signature-validation
 */
export function verifySignature(
  body: Buffer,
  channelSecret: string,
  signature: string | string[] | undefined,
): boolean {
  if (typeof signature !== "string" || signature.length === 0 || signature.length > 128) return false;
  const expected = Buffer.from(createHmac("sha256", channelSecret).update(body).digest("base64"));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
