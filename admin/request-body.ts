import type { IncomingMessage } from "node:http";

/**
 * Request bodies are counted as they arrive, never trusted to their Content-Length: a chunked
 * body carries none, and the framework's own adapter queues every byte it is sent whether or not
 * anyone reads them (one 400 MB chunked POST to /login once cost the process a gigabyte).
 */

/** Every form the console has fits many times over: the largest is the pre-warm topic list. */
export const MAX_FORM_BYTES = 64 * 1024;

export type FormBody = { ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false };

/**
 * Reads a whole non-multipart body, giving up (and pausing the socket) as soon as it passes
 * `max` bytes; the caller then answers 413 and closes the connection.
 */
export function readFormBody(req: IncomingMessage, max = MAX_FORM_BYTES): Promise<FormBody> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > max) return resolve({ ok: false });
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > max) {
        cleanup();
        req.pause();
        resolve({ ok: false });
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({ ok: true, bytes: new Uint8Array(Buffer.concat(chunks)) });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/**
 * A body read only when the action pulls it (so nothing is read before the route has checked
 * who is asking), ending early once `max` bytes have passed: the reader sees more than `max`
 * and refuses, without the rest ever being buffered.
 */
export function streamBody(req: IncomingMessage, max: number): ReadableStream<Uint8Array> {
  let total = 0;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.pause();
      req.on("data", (chunk: Buffer) => {
        if (finished) return;
        total += chunk.byteLength;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (total > max) {
          finished = true;
          req.pause();
          controller.close();
        } else if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on("end", () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      req.on("error", (error) => {
        if (finished) return;
        finished = true;
        controller.error(error);
      });
    },
    pull() {
      if (!finished) req.resume();
    },
    cancel() {
      finished = true;
      req.pause();
    },
  });
}
