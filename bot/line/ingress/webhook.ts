import type { webhook } from "@line/bot-sdk";
import type { Logger } from "../../../core/logger.ts";
import { type RouteHandler, readCappedBody, refuseTooLarge, sendJson } from "../../shared/http.ts";
import { verifySignature } from "./verify.ts";

/**
 * POST /line/webhook: the raw body (capped) is checked against x-line-signature before
 * anything else happens, put in the inbox, and acknowledged at once — LINE counts a webhook as
 * timed out after 2 s; the events are handled in the background.
 *
 * https://developers.line.biz/en/reference/messaging-api/#signature-validation
 */

/**
 * One verified webhook request: the bot's user id and its events, in the order LINE sent them.
 * (A "delivery" in this code base is always the outgoing draft; what LINE sends in is a batch.)
 */
export interface WebhookBatch {
  destination: string;
  events: webhook.Event[];
  receivedAt: number;
}

/** LINE's batches are a few KB; a megabyte is generous and bounds what a stranger can send. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export interface WebhookOptions {
  channelSecret: string;
  logger: Logger;
  /** Takes a verified batch (parsed, and its raw JSON); false when too busy to take more (503). */
  accept(batch: WebhookBatch, raw: string): Promise<boolean>;
  maxBytes?: number;
}

export function lineWebhook(opts: WebhookOptions): RouteHandler {
  const maxBytes = opts.maxBytes ?? MAX_WEBHOOK_BYTES;
  return async (req, res) => {
    const receivedAt = Date.now();
    const body = await readCappedBody(req, maxBytes);
    if (body === "too_large")
      return refuseTooLarge(req, res, { message: `Body larger than ${maxBytes} bytes` });
    if (body === "aborted") return;
    if (!verifySignature(body, opts.channelSecret, req.headers["x-line-signature"])) {
      opts.logger.warn(
        { ip: req.socket.remoteAddress },
        "LINE webhook with a bad or missing signature rejected",
      );
      return sendJson(res, 401, { message: "Invalid signature" });
    }
    const raw = body.toString("utf8");
    const batch = parseWebhookBatch(raw, receivedAt);
    if (!batch)
      return sendJson(res, 400, { message: "Body must be a LINE webhook: JSON with destination and events" });
    if (!(await opts.accept(batch, raw))) return sendJson(res, 503, { message: "Busy; please redeliver" });
    sendJson(res, 200, null);
  };
}

export function parseWebhookBatch(raw: string, receivedAt: number): WebhookBatch | null {
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
