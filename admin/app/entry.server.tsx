import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable } from "@react-router/node";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import {
  type AppLoadContext,
  type EntryContext,
  type HandleErrorFunction,
  isRouteErrorResponse,
  ServerRouter,
} from "react-router";

// React Router's default Node entry, kept here for two reasons: errors go to the app's logger
// (JSON, redacted) instead of console.error, and every inline script carries the response's
// CSP nonce (ServerRouter hands it to <Scripts>, <ScrollRestoration> and <Links> through its
// context; React needs it too, for the streaming scripts it writes itself).
const STREAM_TIMEOUT_MS = 5_000;
export const streamTimeout = STREAM_TIMEOUT_MS;

export default function handleRequest(
  request: Request,
  status: number,
  headers: Headers,
  routerContext: EntryContext,
  loadContext: AppLoadContext,
): Promise<Response> | Response {
  if (request.method.toUpperCase() === "HEAD") return new Response(null, { status, headers });
  // Crawlers get the whole page at once; people get the shell as soon as it is ready.
  const ua = request.headers.get("user-agent");
  const readyEvent = (ua && isbot(ua)) || routerContext.isSpaMode ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <ServerRouter context={routerContext} url={request.url} nonce={loadContext.cspNonce} />,
      {
        nonce: loadContext.cspNonce,
        [readyEvent]() {
          shellRendered = true;
          const body = new PassThrough({
            final(callback) {
              clearTimeout(timer);
              callback();
            },
          });
          headers.set("Content-Type", "text/html; charset=utf-8");
          pipe(body);
          resolve(new Response(createReadableStreamFromReadable(body), { status, headers }));
        },
        onShellError: reject,
        onError(error: unknown) {
          status = 500;
          // Errors before the shell reject above and React Router logs them through handleError.
          if (shellRendered)
            loadContext.app.logger.error({ err: error, url: request.url }, "console render failed");
        },
      },
    );
    const timer = setTimeout(abort, STREAM_TIMEOUT_MS + 1_000);
  });
}

export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return; // the browser went away; nothing failed
  const logger = (context as AppLoadContext | undefined)?.app?.logger;
  if (isRouteErrorResponse(error) && error.status < 500) {
    logger?.debug({ status: error.status, url: request.url }, "console request refused");
    return;
  }
  logger?.error({ err: error, url: request.url }, "console request failed");
};
