import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay, setImmediate as nextTurn } from "node:timers/promises";
import { countTokens, decodeGenerator, encode, encodeGenerator } from "gpt-tokenizer/model/gpt-4o";

/**
 * A local OpenAI API for tests and load runs: POST /v1/chat/completions (JSON, or SSE with
 * `stream: true` exactly as the API sends it) and POST /v1/embeddings, with knobs for latency,
 * throughput and failures. The real `openai` SDK talks to it through `baseURL: fake.url`.
 */

/** Tokens written back to back before the fake lets its clients run (tokensPerSecond 0 is a burst). */
const BURST_TOKENS = 16;

export type Failure =
  /** Answer with this status and OpenAI's error JSON (429 carries retry-after headers). */
  | { kind: "status"; status: 429 | 500 | 502 | 503; retryAfterMs?: number }
  /** Accept the request and never answer (the client's timeout must act). */
  | { kind: "hang" }
  /** Stream this many tokens, then drop the connection. */
  | { kind: "cut"; afterTokens: number };

export type FailurePlan = Failure & {
  /** Fail the next N matching requests (default: until replaced or cleared). */
  times?: number;
  /** Fail matching requests for this long after `set` (default: until replaced or cleared). */
  forMs?: number;
  only?: "chat" | "embeddings";
};

export interface ChatBody {
  model: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
}

export interface FakeBehaviour {
  /** The assistant's text; default: a house-style article built from the prompt. */
  reply?: string | ((body: ChatBody) => string) | null;
  /** Wait before the first token (load runs: ~500). */
  firstTokenLatencyMs?: number;
  /** Pace tokens after the first (load runs: ~50); 0 sends them all at once. */
  tokensPerSecond?: number;
  /** Behave like servers that ignore stream_options.include_usage. */
  omitUsage?: boolean;
  failure?: FailurePlan | null;
}

export interface FakeOpenAIOptions extends FakeBehaviour {
  apiKey?: string;
  port?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  at: number;
  /** The status the fake chose (undefined while hanging). */
  status?: number;
  /** The client closed a stream before it ended (its timeout, or a stop). */
  aborted?: boolean;
}

export interface FakeOpenAI {
  /** Base URL ending in /v1, for OPENAI_BASE_URL or the SDK's baseURL. */
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  set(behaviour: FakeBehaviour): void;
  close(): Promise<void>;
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const apiKey = options.apiKey ?? "sk-test-fake-openai";
  const state: FakeBehaviour & { failureSetAt: number } = {
    firstTokenLatencyMs: 0,
    tokensPerSecond: 0,
    ...options,
    failure: options.failure ? { ...options.failure } : null,
    failureSetAt: Date.now(),
  };
  const requests: RecordedRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const record: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: undefined,
        at: Date.now(),
      };
      requests.push(record);
      void handle(req, res, Buffer.concat(chunks).toString("utf8"), record).catch(() => res.destroy());
    });
  });

  async function handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    raw: string,
    record: RecordedRequest,
  ): Promise<void> {
    res.on("error", () => {}); // a client that hangs up mid-stream is a scenario here, not a fault
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, {
        "content-type": "application/json",
        "x-request-id": `req_${randomBytes(8).toString("hex")}`,
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      const given = req.headers.authorization?.replace(/^Bearer\s+/, "");
      return send(
        401,
        apiError(
          given
            ? `Incorrect API key provided: ${given.slice(0, 3)}***${given.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`
            : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          "invalid_request_error",
          given ? "invalid_api_key" : null,
        ),
      );
    }
    const route =
      req.method === "POST" && req.url === "/v1/chat/completions"
        ? "chat"
        : req.method === "POST" && req.url === "/v1/embeddings"
          ? "embeddings"
          : null;
    if (!route)
      return send(404, apiError(`Invalid URL (${req.method} ${req.url})`, "invalid_request_error", null));
    try {
      record.body = JSON.parse(raw);
    } catch {
      return send(
        400,
        apiError("We could not parse the JSON body of your request.", "invalid_request_error", null),
      );
    }
    const failure = takeFailure(route);
    if (failure?.kind === "hang") return; // the socket stays open until the client gives up or close()
    if (failure?.kind === "status") {
      if (failure.status !== 429)
        return send(
          failure.status,
          apiError(
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
            null,
          ),
        );
      const waitMs = failure.retryAfterMs ?? 1000;
      return send(
        429,
        apiError(
          `Rate limit reached for requests. Please try again in ${waitMs}ms.`,
          "requests",
          "rate_limit_exceeded",
        ),
        {
          "retry-after": String(Math.ceil(waitMs / 1000)),
          "retry-after-ms": String(waitMs),
        },
      );
    }
    if (route === "embeddings") return embeddings(record.body as EmbeddingBody, send);
    const body = record.body as ChatBody;
    if (typeof body.model !== "string" || !Array.isArray(body.messages) || !body.messages.length) {
      return send(
        400,
        apiError(
          "you must provide a model parameter and a non-empty messages array",
          "invalid_request_error",
          null,
        ),
      );
    }
    await chat(body, res, record, failure?.kind === "cut" ? failure.afterTokens : undefined);
  }

  /** Consumes one use of the current failure plan if it applies to this route now. */
  function takeFailure(route: "chat" | "embeddings"): Failure | undefined {
    const plan = state.failure;
    if (!plan || (plan.only && plan.only !== route)) return undefined;
    if (plan.forMs !== undefined && Date.now() - state.failureSetAt > plan.forMs) return undefined;
    if (plan.times !== undefined) {
      if (plan.times <= 0) return undefined;
      plan.times -= 1;
    }
    return plan;
  }

  async function chat(
    body: ChatBody,
    res: http.ServerResponse,
    record: RecordedRequest,
    cutAfter: number | undefined,
  ): Promise<void> {
    const text = typeof state.reply === "function" ? state.reply(body) : (state.reply ?? houseArticle(body));
    const limit = body.max_completion_tokens ?? body.max_tokens;
    // Counted when the usage is due, as a model counts them: never before the first token.
    const usageOf = (completionTokens: number) => {
      const promptTokens = countTokens(
        body.messages.map((m) => ({ role: m.role as "user", content: String(m.content) })),
      );
      return {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      };
    };
    const base = {
      id: `chatcmpl-${randomBytes(12).toString("base64url")}`,
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      system_fingerprint: "fp_fake",
    };
    const paced = pacer(state.firstTokenLatencyMs ?? 0, state.tokensPerSecond ?? 0);
    record.status = 200;

    if (!body.stream) {
      const all = encode(text);
      const tokens = limit !== undefined && limit < all.length ? all.slice(0, limit) : all;
      const finish = tokens.length < all.length ? "length" : "stop";
      await paced(tokens.length - 1);
      const message = {
        role: "assistant",
        content: [...decodeGenerator(tokens)].join(""),
        refusal: null,
        annotations: [],
      };
      res.writeHead(200, {
        "content-type": "application/json",
        "x-request-id": `req_${randomBytes(8).toString("hex")}`,
      });
      res.end(
        JSON.stringify({
          ...base,
          object: "chat.completion",
          choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
          usage: usageOf(tokens.length),
          service_tier: "default",
        }),
      );
      return;
    }
    const withUsage = Boolean(body.stream_options?.include_usage) && !state.omitUsage;
    const event = (choices: unknown[], extra: object = {}) =>
      res.write(
        `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", service_tier: "default", choices, ...(withUsage ? { usage: null } : {}), ...extra })}\n\n`,
      );
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-request-id": `req_${randomBytes(8).toString("hex")}`,
    });
    event([
      {
        index: 0,
        delta: { role: "assistant", content: "", refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ]);
    // The reply is tokenized as it streams, as a model generates it: the first token does not
    // wait for the whole reply's encoding (a model never does that work).
    const reply = { sent: 0, truncated: false };
    function* replyTokens(): Generator<number> {
      for (const group of encodeGenerator(text))
        for (const token of group) {
          if (limit !== undefined && reply.sent >= limit) return void (reply.truncated = true);
          reply.sent += 1;
          yield token;
        }
    }
    let index = 0;
    for (const piece of decodeGenerator(replyTokens())) {
      await paced(index);
      if (res.destroyed) return void (record.aborted = true); // the client went away (its timeout or abort)
      if (cutAfter !== undefined && index >= cutAfter) {
        // Let what was sent reach the client (an SSE comment flushes behind it), then drop the line.
        await new Promise<void>((resolve) => res.write(":\n\n", () => resolve()));
        return void res.socket?.destroy();
      }
      event([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]);
      index += 1;
      // A server streams from another machine: the client reads while it goes on generating.
      // Here one burst of a whole reply, written without a pause, kept the client from reading
      // its first token until the last was written (~9 ms for 600 words in the pipeline benchmark).
      if (index % BURST_TOKENS === 0) await nextTurn();
    }
    event([{ index: 0, delta: {}, logprobs: null, finish_reason: reply.truncated ? "length" : "stop" }]);
    if (withUsage) event([], { usage: usageOf(reply.sent) });
    res.end("data: [DONE]\n\n");
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    set(behaviour) {
      Object.assign(state, behaviour);
      if ("failure" in behaviour) {
        // A copy: `times` counts down here, and the caller's object may be reused.
        state.failure = behaviour.failure ? { ...behaviour.failure } : null;
        state.failureSetAt = Date.now();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // hanging requests included
        server.close(() => resolve());
      }),
  };
}

function apiError(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

/** Waits until token `index` is due: first-token latency, then a steady rate. */
function pacer(firstTokenMs: number, tokensPerSecond: number) {
  const start = Date.now();
  return async (index: number) => {
    const due = start + firstTokenMs + (tokensPerSecond > 0 ? (index * 1000) / tokensPerSecond : 0);
    const wait = due - Date.now();
    if (wait > 1) await delay(wait);
  };
}

interface EmbeddingBody {
  model: string;
  input: string | string[] | number[] | number[][];
  dimensions?: number;
  encoding_format?: "float" | "base64";
}

function embeddings(body: EmbeddingBody, send: (status: number, body: unknown) => void): void {
  const inputs =
    typeof body.input === "string"
      ? [body.input]
      : Array.isArray(body.input) && typeof body.input[0] === "number"
        ? [body.input as number[]]
        : (body.input as (string | number[])[]);
  if (!Array.isArray(inputs) || !inputs.length) {
    send(400, apiError("'input' is a required property", "invalid_request_error", null));
    return;
  }
  const dims = body.dimensions ?? (body.model?.includes("large") ? 3072 : 1536);
  const texts = inputs.map((i) => (typeof i === "string" ? i : i.join(" ")));
  const data = texts.map((text, index) => {
    const vector = embed(text, dims);
    const embedding =
      body.encoding_format === "base64"
        ? Buffer.from(new Float32Array(vector).buffer).toString("base64")
        : vector;
    return { object: "embedding", index, embedding };
  });
  const promptTokens = inputs.reduce((n, i) => n + (typeof i === "string" ? encode(i).length : i.length), 0);
  send(200, {
    object: "list",
    data,
    model: body.model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

/**
 * Deterministic and meaningful enough for cache tests: a hashed bag of words (Thai segmented),
 * so texts sharing words point the same way and identical texts give identical vectors.
 */
export function embed(text: string, dims: number): number[] {
  const vector = new Array<number>(dims).fill(0);
  const words = [...new Intl.Segmenter("th", { granularity: "word" }).segment(text.toLowerCase())]
    .filter((s) => s.isWordLike)
    .map((s) => s.segment);
  for (const word of words.length ? words : [text]) {
    const h = createHash("sha256").update(word).digest();
    vector[h.readUInt32LE(0) % dims]! += h[4]! & 1 ? 1 : -1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

// ---- default reply: a house-style article in the prompt's language and length ----

const EN = {
  hooks: [
    "Most leaders already know {topic} matters. Fewer know where it pays off first, and that gap is where the next three years will be decided for {audience}.",
  ],
  headings: [
    "Why {topic} is moving now",
    "Where the value shows up first",
    "What the leaders do differently",
    "The risks worth managing",
    "Building the capability",
  ],
  sentences: [
    "A mid-sized {industry} firm piloted {topic} in one business unit and cut cycle time by a fifth within two quarters.",
    "The pattern is consistent: start with one costly process, measure it in money, then scale what works.",
    "Customers notice speed and relevance long before they notice the technology behind it.",
    "Budgets are shifting from experiments to programmes with owners, targets and quarterly reviews.",
    "The hardest part is rarely the tool; it is changing decisions that were made by habit for years.",
    "Data that already sits in the business is usually enough to begin, if someone owns its quality.",
    "Competitors that move early set the customer's expectations for everyone else.",
    "Partnerships with specialists shorten the learning curve without locking the firm into one vendor.",
  ],
  close: "What to do next",
  actions: [
    "Pick one process where {topic} can show a result in 90 days.",
    "Name an owner and a money metric before buying anything.",
    "Review progress monthly and stop what does not move the metric.",
  ],
};

const TH = {
  hooks: [
    "ผู้บริหารส่วนใหญ่รู้ว่า {topic} สำคัญ แต่ยังมีไม่มากที่รู้ว่าควรเริ่มสร้างผลลัพธ์จากจุดไหนก่อน และช่องว่างนี้เองที่จะตัดสินการแข่งขันในอีกสามปีข้างหน้า",
  ],
  headings: [
    "ทำไม {topic} จึงเร่งตัวขึ้นในตอนนี้",
    "คุณค่าเกิดขึ้นที่ไหนก่อน",
    "ผู้นำตลาดทำอะไรต่างออกไป",
    "ความเสี่ยงที่ต้องบริหาร",
    "การสร้างขีดความสามารถขององค์กร",
  ],
  sentences: [
    "บริษัทขนาดกลางในอุตสาหกรรม {industry} ทดลองใช้ {topic} ในหน่วยธุรกิจเดียว และลดเวลาการทำงานลงได้หนึ่งในห้าภายในสองไตรมาส",
    "รูปแบบที่เห็นซ้ำคือเริ่มจากกระบวนการที่มีต้นทุนสูงหนึ่งเรื่อง วัดผลเป็นตัวเงิน แล้วจึงขยายสิ่งที่ได้ผล",
    "ลูกค้าสัมผัสได้ถึงความรวดเร็วและความตรงใจ ก่อนจะสังเกตเห็นเทคโนโลยีเบื้องหลัง",
    "งบประมาณกำลังย้ายจากโครงการทดลองไปสู่แผนงานที่มีเจ้าของ เป้าหมาย และการติดตามผลรายไตรมาส",
    "ส่วนที่ยากที่สุดมักไม่ใช่เครื่องมือ แต่คือการเปลี่ยนการตัดสินใจที่ทำตามความเคยชินมานานหลายปี",
    "ข้อมูลที่องค์กรมีอยู่แล้วมักเพียงพอสำหรับการเริ่มต้น หากมีผู้รับผิดชอบคุณภาพของข้อมูลอย่างชัดเจน",
    "คู่แข่งที่ขยับก่อนจะเป็นผู้กำหนดความคาดหวังของลูกค้าให้กับทั้งตลาด",
    "การร่วมมือกับผู้เชี่ยวชาญช่วยย่นระยะการเรียนรู้ โดยไม่ต้องผูกติดกับผู้ให้บริการรายเดียว",
  ],
  close: "สิ่งที่ผู้บริหารควรทำต่อจากนี้",
  actions: [
    "เลือกกระบวนการหนึ่งที่ {topic} สามารถสร้างผลลัพธ์ได้ภายใน 90 วัน",
    "กำหนดผู้รับผิดชอบและตัวชี้วัดที่เป็นตัวเงินก่อนลงทุน",
    "ทบทวนความคืบหน้าทุกเดือน และหยุดสิ่งที่ไม่ขยับตัวชี้วัด",
  ],
};

/**
 * Reads topic, language and length from the prompt the way a model would, then writes to fit.
 * Given its own earlier turn (a resumed job), it writes only the rest of the same article.
 */
export function houseArticle(body: ChatBody): string {
  const full = article(body.messages.filter((m) => m.role !== "assistant"));
  const earlier = body.messages.findLast((m) => m.role === "assistant")?.content;
  return earlier && full.startsWith(earlier) ? full.slice(earlier.length) : full;
}

const EN_WORDS = new Intl.Segmenter("en", { granularity: "word" });
const TH_WORDS = new Intl.Segmenter("th", { granularity: "word" });

function article(messages: ChatBody["messages"]): string {
  const all = messages.map((m) => String(m.content)).join("\n");
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, "im").exec(all)?.[1]?.trim();
  const topic = field("topic") ?? "digital transformation";
  const thai = /write in thai/i.test(all) || /[\u0E00-\u0E7F]/.test(topic);
  const target = Math.min(3000, Number(/about (\d+) words/i.exec(all)?.[1] ?? 600));
  const t = thai ? TH : EN;
  const fill = (s: string) =>
    s
      .replaceAll("{topic}", topic)
      .replaceAll("{industry}", field("industry") ?? (thai ? "บริการ" : "services"))
      .replaceAll("{audience}", field("audience") ?? "executives");
  const seed = createHash("sha256").update(topic).digest()[0]!;
  const segmenter = thai ? TH_WORDS : EN_WORDS;
  const words = (s: string) => {
    let n = 0;
    for (const x of segmenter.segment(s)) if (x.isWordLike) n++;
    return n;
  };

  const title = thai
    ? `# ${topic}: โอกาสที่ผู้บริหารไม่ควรมองข้าม`
    : `# ${topic[0]!.toUpperCase()}${topic.slice(1)}: The Advantage Leaders Cannot Ignore`;
  const parts = [title, fill(t.hooks[0]!)];
  const closing = `## ${t.close}\n\n${t.actions.map((a) => `- ${fill(a)}`).join("\n")}`;
  const sections = Math.max(2, Math.min(5, Math.round(target / 180)));
  const perSection = Math.max(30, (target - words(parts.join(" ")) - words(closing)) / sections);
  let n = seed;
  const filled: string[] = [];
  const sentenceWords: number[] = [];
  for (let s = 0; s < sections; s++) {
    // Counted sentence by sentence (a space never joins two words): segmenting the whole
    // section again after each sentence made the reply cost ~20 ms before its first token.
    const sentences: string[] = [];
    for (let count = 0; count < perSection; ) {
      const i = n++ % t.sentences.length;
      const sentence = (filled[i] ??= fill(t.sentences[i]!));
      sentences.push(sentence);
      count += sentenceWords[i] ??= words(sentence);
    }
    // Three sentences to a paragraph, as drafts read (and as the chunker sees them).
    const paragraphs = sentences
      .map((_, i) => (i % 3 === 0 ? sentences.slice(i, i + 3).join(" ") : null))
      .filter((p) => p !== null);
    parts.push(`## ${fill(t.headings[s]!)}`, ...paragraphs);
  }
  parts.push(closing);
  return parts.join("\n\n");
}
