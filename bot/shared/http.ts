import type { IncomingMessage, ServerResponse } from "node:http";

export { type RouteHandler, sendJson } from "../../ops/server.ts";

/**
 * What both webhooks (Slack's events, LINE's batches) need before they can check a signature:
 * the raw body, read with a cap so a stranger cannot make the process buffer without end.
 */

export type BodyRead = Buffer | "too_large" | "aborted";

/** The body as bytes, or "too_large" as soon as it passes `max` (a declared length is trusted first). */
export function readCappedBody(req: IncomingMessage, max: number): Promise<BodyRead> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) return Promise.resolve("too_large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyRead) => {
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
export function refuseTooLarge(req: IncomingMessage, res: ServerResponse, body: unknown): void {
  req.pause();
  res.setHeader("connection", "close");
  res.writeHead(413, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
  res.on("finish", () => setTimeout(() => req.socket.destroy(), 1_000).unref());
}

/** A request header's first value. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
