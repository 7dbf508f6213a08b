import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Slack's request signing (https://docs.slack.dev/authentication/verifying-requests-from-slack):
 * `v0=` + hex HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}` with the app's signing
 * secret. A timestamp more than five minutes away from now is refused, so a captured request
 * cannot be replayed later.
 */

export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export type Verdict =
  | { ok: true }
  | { ok: false; reason: "missing headers" | "stale timestamp" | "bad signature" };

export function verifySlackSignature(opts: {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  nowSeconds?: number;
}): Verdict {
  const { timestamp, signature } = opts;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: "missing headers" };
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS)
    return { ok: false, reason: "stale timestamp" };
  const expected = Buffer.from(slackSignature(opts.signingSecret, timestamp, opts.rawBody), "utf8");
  const given = Buffer.from(signature, "utf8");
  // timingSafeEqual needs equal lengths; a length mismatch is a mismatch anyway.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad signature" };
  return { ok: true };
}

export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac("sha256", signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest("hex")}`;
}
