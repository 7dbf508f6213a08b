import type { IncomingMessage, ServerResponse } from "node:http";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import type { Logger } from "../../../core/logger.ts";
import { header, readCappedBody, refuseTooLarge, sendJson } from "../../shared/http.ts";
import { words } from "../copy.ts";
import { isIntakeRefused } from "./inbox.ts";
import { verifySlackSignature } from "./verify.ts";

/** Slack's payloads are a few kilobytes; anything near this is not from Slack. */
const MAX_BODY_BYTES = 1_000_000;
/** Slack gives up at 3 s; an empty 200 before then beats a retry. */
const ACK_DEADLINE_MS = 2_500;
/** A command's payload says nothing of the person's language: both, English first. */
const BUSY_TEXT = `${words("en").unavailable}\n${words("th").unavailable}`;

/**
 * Bolt's receiver for HTTP mode, mounted at `POST /slack/events` on the bot's own server
 * (one port, one process, the same /healthz and /metrics). It verifies the signature over the
 * raw body, answers Slack's URL check, and hands everything else to Bolt with an `ack` that
 * writes the HTTP response — Bolt acknowledges events itself before any listener runs, and our
 * listeners acknowledge commands and interactions before doing anything else.
 */
export class SlackHttpReceiver implements Receiver {
  private bolt: App | null = null;

  constructor(private readonly opts: { signingSecret: string; logger: Logger; overloaded?: () => boolean }) {}

  init(app: App): void {
    this.bolt = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readCappedBody(req, MAX_BODY_BYTES);
    if (raw === "aborted") return;
    if (raw === "too_large") return refuseTooLarge(req, res, { error: "request body too large" });
    const verdict = verifySlackSignature({
      signingSecret: this.opts.signingSecret,
      timestamp: header(req, "x-slack-request-timestamp"),
      signature: header(req, "x-slack-signature"),
      rawBody: raw,
    });
    if (!verdict.ok) {
      this.opts.logger.warn({ reason: verdict.reason }, "refused a slack request with an invalid signature");
      return reply(res, 401, { error: "invalid request signature" });
    }
    const body = parseBody(raw, header(req, "content-type") ?? "");
    if (!body) return reply(res, 400, { error: "unreadable body" });
    if (body.ssl_check) return reply(res, 200, "");
    if (body.type === "url_verification") return reply(res, 200, { challenge: body.challenge });
    // Too much already waiting: every kind of request is turned away before any work, or a
    // flood of commands or clicks would grow the line without bound. Events are not
    // acknowledged, so Slack delivers them again later (after ~1 and ~5 minutes); a command
    // gets a polite line back (commands are never retried); a click or a form shows Slack's own
    // "try again" notice.
    if (this.opts.overloaded?.()) {
      if (typeof body.command === "string")
        return reply(res, 200, { response_type: "ephemeral", text: BUSY_TEXT });
      return reply(res, 503, { error: "busy, retry later" });
    }

    // An event is acknowledged once its listener has kept it in the inbox (Bolt acknowledges
    // events before their listeners run, so its early ack is ignored here); commands and
    // interactions when their listener says so, with what it says.
    const isEvent = body.type === "event_callback";
    let acked = false;
    const send = (status: number, response: unknown) => {
      if (acked) return;
      acked = true;
      clearTimeout(deadline);
      reply(res, status, response);
    };
    const ack = async (response?: unknown) => {
      if (!isEvent) send(200, response ?? "");
    };
    // A listener that never acknowledges still gets Slack its 200 in time. Not for events: one
    // not kept within Slack's 3 s is better delivered again (retries are deduplicated).
    const deadline = setTimeout(() => isEvent || send(200, ""), ACK_DEADLINE_MS);
    const retryNum = Number(header(req, "x-slack-retry-num"));
    const event: ReceiverEvent = {
      body,
      ack,
      retryNum: Number.isInteger(retryNum) ? retryNum : undefined,
      retryReason: header(req, "x-slack-retry-reason"),
    };
    try {
      await this.bolt!.processEvent(event);
    } catch (error) {
      // Not kept (the inbox is full or down): not acknowledged, so Slack delivers an event again.
      if (isIntakeRefused(error)) return send(503, { error: "busy, retry later" });
      this.opts.logger.error({ err: error }, "slack request processing failed");
    } finally {
      // Nothing matched (an event type we do not handle): Slack still wants its 200.
      send(200, "");
    }
  };
}

/** Events come as JSON; commands as a form; interactions as a form whose `payload` is JSON. */
// biome-ignore lint/suspicious/noExplicitAny: Bolt's ReceiverEvent body is typed `any`; Bolt parses it
function parseBody(raw: Buffer, contentType: string): Record<string, any> | null {
  try {
    const text = raw.toString("utf8");
    if (contentType.includes("application/json")) {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : null;
    }
    const form = Object.fromEntries(new URLSearchParams(text));
    if (typeof form.payload === "string") {
      const parsed: unknown = JSON.parse(form.payload);
      return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : null;
    }
    return form;
  } catch {
    return null;
  }
}

/** Slack takes an empty 200 as an acknowledgement; anything else it reads as JSON. */
function reply(res: ServerResponse, status: number, body: unknown): void {
  if (typeof body === "string" && !res.headersSent) {
    res.writeHead(status, body ? { "content-type": "text/plain; charset=utf-8" } : {});
    res.end(body);
  } else sendJson(res, status, body);
}
