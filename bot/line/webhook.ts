import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { webhook } from "@line/bot-sdk";
import type { Logger } from "../../core/logger.ts";
import type { RouteHandler } from "../server.ts";
import type { Delivery } from "./events/index.ts";

/**
 * POST /line/webhook: the raw body (capped) is checked against x-line-signature before
 * anything else happens, put in the inbox, and acknowledged at once — LINE counts a webhook as
 * timed out after 2 s; the events are handled in the background.
 *
 * https://developers.line.biz/en/reference/messaging-api/#signature-validation
 */

/** LINE's deliveries are a few KB; a megabyte is generous and bounds what a stranger can send. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

/**
 * HMAC-SHA256 of the raw body with the channel secret, base64, compared in constant time as
 * canonical base64 text: Node's decoder skips junk (`…=junk`, spaces, `-_`), so comparing decoded
 * bytes accepted many spellings of one signature.
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

export interface WebhookOptions {
  channelSecret: string;
  logger: Logger;
  /** Takes a verified delivery (parsed, and its raw JSON); false when too busy to take more (503). */
  accept(delivery: Delivery, raw: string): Promise<boolean>;
  maxBytes?: number;
}

export function lineWebhook(opts: WebhookOptions): RouteHandler {
  const maxBytes = opts.maxBytes ?? MAX_WEBHOOK_BYTES;
  return async (req, res) => {
    const receivedAt = Date.now();
    const body = await readBody(req, maxBytes);
    if (body === "too_large") return tooLarge(req, res, maxBytes);
    if (body === "aborted") return;
    if (!verifySignature(body, opts.channelSecret, req.headers["x-line-signature"])) {
      opts.logger.warn(
        { ip: req.socket.remoteAddress },
        "LINE webhook with a bad or missing signature rejected",
      );
      return answer(res, 401, { message: "Invalid signature" });
    }
    const raw = body.toString("utf8");
    const delivery = parseDelivery(raw, receivedAt);
    if (!delivery)
      return answer(res, 400, { message: "Body must be a LINE webhook: JSON with destination and events" });
    if (!(await opts.accept(delivery, raw))) return answer(res, 503, { message: "Busy; please redeliver" });
    answer(res, 200, null);
  };
}

export function parseDelivery(raw: string, receivedAt: number): Delivery | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const { destination, events } = value as Partial<webhook.CallbackRequest>;
  if (typeof destination !== "string" || !Array.isArray(events)) return null;
  return { destination, events, receivedAt };
}

/** The body as bytes, or "too_large" as soon as it passes `max` (a declared length is trusted first). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | "too_large" | "aborted"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve("too_large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Buffer | "too_large" | "aborted") => {
      req.off("data", onData).off("end", onEnd).off("error", onError).off("aborted", onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) return done("too_large");
      chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks, size));
    const onError = () => done("aborted");
    req.on("data", onData).on("end", onEnd).on("error", onError).on("aborted", onError);
  });
}

/**
 * 413 without reading the rest: the connection closes after the answer, so the sender cannot
 * keep the server busy, and other connections are served as before.
 */
function tooLarge(req: IncomingMessage, res: ServerResponse, max: number): void {
  req.pause();
  res.setHeader("connection", "close");
  answer(res, 413, { message: `Body larger than ${max} bytes` });
  res.on("finish", () => setTimeout(() => req.socket.destroy(), 1_000).unref());
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  if (body === null) {
    res.writeHead(status, { "content-length": "0" });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
