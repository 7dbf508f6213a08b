import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineApi, LineApiError } from "../../bot/line/client.ts";
import { monthEndForecast } from "../../core/records/message-quota.ts";
import { type FakeLine, lineId, startFakeLine } from "../fakes/line.ts";

/**
 * The Official Account's monthly message quota as the bot reads it, the monthly-limit 429 told
 * apart from a rate limit, and the fake's Flex validation the result card must pass.
 */

let line: FakeLine;
let api: LineApi;
beforeAll(async () => {
  line = await startFakeLine();
  api = new LineApi({ accessToken: line.accessToken, baseUrl: line.url, retryDelayMs: 10 });
});
afterAll(() => line?.close());

describe("LINE message quota", () => {
  it("reads the limit and the month's use; a push counts once per recipient, a reply not at all", async () => {
    expect(await api.messageQuota()).toEqual({ limit: null, used: 0 });
    line.set({ monthlyLimit: 1_000, members: {} });
    const user = lineId();
    const group = lineId("C");
    line.set({ members: { [group]: 30 } });
    await api.push(
      user,
      [
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ],
      crypto.randomUUID(),
    );
    await api.push(group, [{ type: "text", text: "c" }], crypto.randomUUID());
    await api.reply(line.issueReplyToken(user), [{ type: "text", text: "free" }]);
    expect(await api.messageQuota()).toEqual({ limit: 1_000, used: 31 });
  });

  it("tells the monthly limit from a rate limit, and does not retry it", async () => {
    line.set({ monthlyLimit: line.quotaUsed() });
    const refused = await api
      .push(lineId(), [{ type: "text", text: "x" }], crypto.randomUUID())
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LineApiError);
    expect((refused as LineApiError).kind).toBe("monthly_limit");
    line.set({ monthlyLimit: null, failure: { only: "push", kind: "status", status: 429, times: 1 } });
    const limited = await api
      .push(lineId(), [{ type: "text", text: "x" }], crypto.randomUUID())
      .catch((e: unknown) => e);
    expect((limited as LineApiError).kind).toBe("rate_limited");
    line.set({ failure: null });
  });

  it("forecasts the month's end from the use so far", () => {
    // 15 days into a 30-day month (June, UTC): twice what was used.
    expect(monthEndForecast(400, new Date(Date.UTC(2026, 5, 16)))).toBe(800);
    expect(monthEndForecast(400, new Date(Date.UTC(2026, 5, 1, 0, 30)))).toBeNull();
  });
});

describe("the fake's Flex validation", () => {
  const bubble = (text: string) => ({
    type: "flex" as const,
    altText: "alt",
    contents: {
      type: "bubble" as const,
      body: {
        type: "box" as const,
        layout: "vertical" as const,
        contents: [{ type: "text" as const, text }],
      },
    },
  });

  it("accepts a bubble and refuses empty text, oversized bubbles and unknown containers", async () => {
    const user = lineId();
    await api.push(user, [bubble("fine")], crypto.randomUUID());
    for (const bad of [
      bubble(""),
      bubble("x".repeat(31 * 1024)),
      { type: "flex" as const, altText: "alt", contents: { type: "box" } },
      { ...bubble("fine"), altText: "" },
    ]) {
      // Sent as raw JSON: the SDK's types would not let some of these be written at all.
      const res = await fetch(`${line.url}/v2/bot/message/push`, {
        method: "POST",
        headers: { authorization: `Bearer ${line.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ to: user, messages: [bad] }),
      });
      expect(res.status).toBe(400);
    }
  });
});
