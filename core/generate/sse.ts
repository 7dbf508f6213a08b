import { APIError } from "openai";

/**
 * Reads a streamed Chat Completions body (server-sent events) one network read at a time: the
 * text of every event that read carried, in one piece, with the finish reason and usage if they
 * came. The SDK's own iterator hands out one parsed event per token through five async
 * generators (and copies its buffer per event); at 1,000 streams of 50 tokens a second that was
 * most of a worker's CPU (decision 131). A read holds one event when the process keeps up and
 * many when it falls behind, so the work per token shrinks exactly when it matters.
 */
export interface StreamRead {
  text: string;
  finishReason: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
}

export async function* readChatStream(response: Response): AsyncGenerator<StreamRead> {
  if (!response.body) throw new Error("the stream has no body");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let done = false;
  try {
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += decoder.decode(value, { stream: true });
      const read: StreamRead = { text: "", finishReason: null, usage: null };
      let start = 0;
      for (;;) {
        const end = eventEnd(buffer, start);
        if (end === -1) break;
        if (!done) done = addEvent(read, buffer.slice(start, end.at), response);
        start = end.next;
      }
      buffer = buffer.slice(start);
      if (read.text || read.finishReason || read.usage) yield read;
    }
    // A last event without its blank line still counts (the SDK reads it too).
    const read: StreamRead = { text: "", finishReason: null, usage: null };
    if (!done && buffer.trim()) addEvent(read, buffer, response);
    if (read.text || read.finishReason || read.usage) yield read;
  } finally {
    reader.releaseLock();
  }
}

/** Where the event starting at `from` ends (a blank line, \n or \r\n), or -1 while incomplete. */
function eventEnd(buffer: string, from: number): { at: number; next: number } | -1 {
  const lf = buffer.indexOf("\n\n", from);
  const crlf = buffer.indexOf("\r\n\r\n", from);
  if (lf === -1 && crlf === -1) return -1;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { at: crlf, next: crlf + 4 };
  return { at: lf, next: lf + 2 };
}

/** Adds one event's data to `read`; true once the stream said [DONE]. */
function addEvent(read: StreamRead, event: string, response: Response): boolean {
  let data = "";
  for (const raw of event.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (!line.startsWith("data:")) continue; // comments (": keep-alive"), event names, ids
    const value = line.slice(line[5] === " " ? 6 : 5);
    data = data ? `${data}\n${value}` : value;
  }
  if (!data) return false;
  if (data.startsWith("[DONE]")) return true;
  const chunk: unknown = JSON.parse(data);
  if (!isRecord(chunk)) return false;
  // An error inside the stream, as the SDK raises it (no status: the provider failed mid-way).
  if (chunk.error) throw new APIError(undefined, chunk.error, undefined, response.headers);
  const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
  if (isRecord(choice)) {
    if (typeof choice.finish_reason === "string") read.finishReason = choice.finish_reason;
    const delta = choice.delta;
    if (isRecord(delta) && typeof delta.content === "string") read.text += delta.content;
  }
  const usage = chunk.usage;
  if (
    isRecord(usage) &&
    typeof usage.prompt_tokens === "number" &&
    typeof usage.completion_tokens === "number"
  )
    read.usage = { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens };
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
