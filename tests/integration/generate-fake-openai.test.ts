import { encode } from "gpt-tokenizer/model/gpt-4o";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";

// The fake is only useful if it speaks the real wire format: check it byte-level and via the SDK.
let fake: FakeOpenAI;
let client: OpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
  client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.set({ reply: null, failure: null, omitUsage: false });
});

const messages = [
  {
    role: "system" as const,
    content: "You write business articles. About 300 words. Write in Thai: natural business Thai.",
  },
  { role: "user" as const, content: "<request>\ntopic: ค้าปลีกยุค AI\naudience: ผู้บริหาร\n</request>" },
];

async function post(path: string, body: unknown, key = fake.apiKey) {
  return fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("fake OpenAI: chat completions", () => {
  it("streams SSE like the API: role chunk, content chunks, finish chunk, usage chunk, [DONE]", async () => {
    fake.set({ reply: "# สวัสดี\n\nธุรกิจ" });
    const res = await post("/chat/completions", {
      model: "gpt-4o-mini",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const raw = await res.text();
    expect(raw.endsWith("data: [DONE]\n\n")).toBe(true);
    const events = raw
      .split("\n\n")
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ""));
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id)).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "", refusal: null });
    const content = chunks
      .flatMap((c) => c.choices.map((ch: { delta: { content?: string } }) => ch.delta.content ?? ""))
      .join("");
    expect(content).toBe("# สวัสดี\n\nธุรกิจ");
    expect(chunks.at(-2).choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ completion_tokens: encode("# สวัสดี\n\nธุรกิจ").length });
    expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens + last.usage.completion_tokens);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it("sends no usage chunk unless asked", async () => {
    const raw = await (
      await post("/chat/completions", { model: "gpt-4o-mini", messages, stream: true })
    ).text();
    expect(raw).not.toMatch(/"usage"/);
  });

  it("answers non-streamed requests with a chat.completion, and honours max_tokens", async () => {
    const full = await client.chat.completions.create({ model: "gpt-4o-mini", messages });
    expect(full.object).toBe("chat.completion");
    expect(full.choices[0]!.finish_reason).toBe("stop");
    expect(full.usage!.completion_tokens).toBe(encode(full.choices[0]!.message.content!).length);
    const cut = await client.chat.completions.create({ model: "gpt-4o-mini", messages, max_tokens: 10 });
    expect(cut.choices[0]!.finish_reason).toBe("length");
    expect(cut.usage!.completion_tokens).toBe(10);
  });

  it("writes a house-style article in Thai when the prompt asks for Thai", async () => {
    const text = (await client.chat.completions.create({ model: "gpt-4o-mini", messages })).choices[0]!
      .message.content!;
    expect(text.startsWith("# ค้าปลีกยุค AI")).toBe(true);
    expect(text.match(/^## /gm)!.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/[\u0E00-\u0E7F]{20}/);
  });

  it("refuses a wrong key with OpenAI's 401 error body", async () => {
    const res = await post("/chat/completions", { model: "gpt-4o-mini", messages }, "sk-nope-123456");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        message: expect.stringMatching(/^Incorrect API key provided/),
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    });
  });

  it("fails on command: 429 with retry-after for N requests, then recovers", async () => {
    fake.set({ failure: { kind: "status", status: 429, retryAfterMs: 1500, times: 2 } });
    for (let i = 0; i < 2; i++) {
      const res = await post("/chat/completions", { model: "gpt-4o-mini", messages });
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("2");
      expect(res.headers.get("retry-after-ms")).toBe("1500");
      expect((await res.json()).error).toMatchObject({ type: "requests", code: "rate_limit_exceeded" });
    }
    expect((await post("/chat/completions", { model: "gpt-4o-mini", messages })).status).toBe(200);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("fails for a duration, and only on the endpoint named", async () => {
    fake.set({ failure: { kind: "status", status: 500, forMs: 60_000, only: "chat" } });
    expect((await post("/chat/completions", { model: "gpt-4o-mini", messages })).status).toBe(500);
    expect((await post("/embeddings", { model: "text-embedding-3-small", input: "x" })).status).toBe(200);
    fake.set({ failure: { kind: "status", status: 500, forMs: 0 } });
    await new Promise((r) => setTimeout(r, 5));
    expect((await post("/chat/completions", { model: "gpt-4o-mini", messages })).status).toBe(200);
  });

  it("hangs without answering until the client gives up", async () => {
    fake.set({ failure: { kind: "hang", times: 1 } });
    const aborted = await fetch(`${fake.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fake.apiKey}` },
      body: JSON.stringify({ model: "gpt-4o-mini", messages }),
      signal: AbortSignal.timeout(100),
    }).then(
      () => "answered",
      (err: Error) => err.name,
    );
    expect(aborted).toBe("TimeoutError");
    expect(fake.requests[0]!.status).toBeUndefined(); // never answered
    expect((await post("/chat/completions", { model: "gpt-4o-mini", messages })).status).toBe(200);
  });
});

describe("fake OpenAI: embeddings", () => {
  it("returns deterministic unit vectors, as floats or base64 (the SDK's default), with token usage", async () => {
    const viaSdk = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["AI in retail", "AI in retail", "ค้าปลีกยุค AI"],
    });
    expect(viaSdk.data).toHaveLength(3);
    const [a, b, c] = viaSdk.data.map((d) => d.embedding);
    expect(a).toHaveLength(1536);
    expect(a).toEqual(b);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 5);
    expect(c).not.toEqual(a);
    expect(viaSdk.usage.prompt_tokens).toBe(2 * encode("AI in retail").length + encode("ค้าปลีกยุค AI").length);
    const floats = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: "AI in retail",
      encoding_format: "float",
      dimensions: 256,
    });
    expect(floats.data[0]!.embedding).toHaveLength(256);
  });

  it("points texts that share words the same way", async () => {
    const res = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["AI in retail stores", "retail stores and AI", "shipping containers at sea"],
    });
    const [a, b, c] = res.data.map((d) => d.embedding);
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(cos(a!, b!)).toBeGreaterThan(0.7);
    expect(cos(a!, c!)).toBeLessThan(0.3);
  });
});
