import { APIError } from "openai";
import { describe, expect, it } from "vitest";
import { readChatStream, type StreamRead } from "../../core/generate/sse.ts";

/** A Response whose body arrives in exactly these network reads. */
function body(...reads: string[]): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const r of reads) controller.enqueue(encoder.encode(r));
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream" } });
}

const delta = (content: string) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

async function all(response: Response): Promise<StreamRead[]> {
  const out: StreamRead[] = [];
  for await (const r of readChatStream(response)) out.push(r);
  return out;
}

describe("readChatStream", () => {
  it("gives one delta per network read, however many events it carried", async () => {
    const reads = await all(body(delta("Hel") + delta("lo"), delta(", world")));
    expect(reads.map((r) => r.text)).toEqual(["Hello", ", world"]);
  });

  it("joins an event split across reads, and reads CRLF line ends and comments", async () => {
    const event = delta("whole");
    const reads = await all(
      body(": keep-alive\n\n", event.slice(0, 10), event.slice(10).replace("\n\n", "\r\n\r\n")),
    );
    expect(reads.map((r) => r.text)).toEqual(["whole"]);
  });

  it("carries the finish reason and usage, and stops at [DONE]", async () => {
    const finish = `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`;
    const usage = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 3 } })}\n\n`;
    const reads = await all(body(delta("a"), finish + usage, "data: [DONE]\n\n", delta("after")));
    expect(reads).toEqual([
      { text: "a", finishReason: null, usage: null },
      { text: "", finishReason: "stop", usage: { promptTokens: 12, completionTokens: 3 } },
    ]);
  });

  it("raises an error event inside the stream as the SDK does", async () => {
    const error = `data: ${JSON.stringify({ error: { message: "overloaded", type: "server_error" } })}\n\n`;
    await expect(all(body(delta("a"), error))).rejects.toBeInstanceOf(APIError);
  });
});
