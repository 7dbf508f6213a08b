import { describe, expect, it } from "vitest";
import { slackSignature, verifySlackSignature } from "../../bot/slack/ingress/verify.ts";

// The worked example from Slack's "Verifying requests from Slack" page.
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const TIMESTAMP = "1531420618";
const BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

describe("Slack request signatures", () => {
  it("matches Slack's documented example", () => {
    expect(slackSignature(SECRET, TIMESTAMP, BODY)).toBe(SIGNATURE);
    expect(
      verifySlackSignature({
        signingSecret: SECRET,
        timestamp: TIMESTAMP,
        signature: SIGNATURE,
        rawBody: Buffer.from(BODY),
        nowSeconds: Number(TIMESTAMP) + 60,
      }),
    ).toEqual({ ok: true });
  });

  it("refuses tampered bodies, wrong secrets, missing headers and timestamps over five minutes away", () => {
    const now = Number(TIMESTAMP);
    const check = (over: Partial<Parameters<typeof verifySlackSignature>[0]>) =>
      verifySlackSignature({
        signingSecret: SECRET,
        timestamp: TIMESTAMP,
        signature: SIGNATURE,
        rawBody: Buffer.from(BODY),
        nowSeconds: now,
        ...over,
      });
    expect(check({ rawBody: Buffer.from(`${BODY}x`) })).toEqual({ ok: false, reason: "bad signature" });
    expect(check({ signingSecret: "0".repeat(32) })).toEqual({ ok: false, reason: "bad signature" });
    expect(check({ signature: "v0=short" })).toEqual({ ok: false, reason: "bad signature" });
    expect(check({ signature: undefined })).toEqual({ ok: false, reason: "missing headers" });
    expect(check({ timestamp: "soon" })).toEqual({ ok: false, reason: "missing headers" });
    expect(check({ nowSeconds: now + 301 })).toEqual({ ok: false, reason: "stale timestamp" });
    expect(check({ nowSeconds: now - 301 })).toEqual({ ok: false, reason: "stale timestamp" });
    expect(check({ nowSeconds: now + 300 })).toEqual({ ok: true });
  });
});
