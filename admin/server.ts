import { createReadStream, existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "react-router";
import type { AppContext } from "../core/app.ts";
import type { Pipeline } from "../core/pipeline/index.ts";
import { clientAddress } from "../core/trust-proxy.ts";
import { MAX_UPLOAD_BYTES } from "./app/corpus.server.ts";
import { createLoginThrottle } from "./app/login-throttle.server.ts";
import { isSameOrigin, SAFE_METHODS } from "./app/origin.server.ts";
import { MAX_FORM_BYTES, readFormBody, streamBody } from "./request-body.ts";
import { newNonce, securityHeaders } from "./security-headers.ts";

/**
 * The console's HTTP server: built client files from disk, everything else through the React
 * Router server build. Runs in the main process (not bundled), so the services it hands to
 * loaders are the very ones main.ts opened.
 */
export async function startAdmin(
  app: AppContext,
  opts: {
    host: string;
    port: number;
    pipeline: Pipeline;
    buildDir?: string;
    /** Redis key prefix of the sign-in throttle (tests sharing one Redis keep their counts apart). */
    throttlePrefix?: string;
  },
): Promise<{ url: string; close(): Promise<void> }> {
  const buildDir = path.resolve(opts.buildDir ?? fileURLToPath(new URL("../build", import.meta.url)));
  const serverEntry = path.join(buildDir, "server", "index.js");
  if (!existsSync(serverEntry))
    throw new Error(`Console not built: run \`npm run build\` (${serverEntry} is missing)`);
  // Loaded once at start, so a broken build fails here and not on the first visitor.
  const build = (await import(pathToFileURL(serverEntry).href)) as ServerBuild;
  const clientDir = path.join(buildDir, "client");
  const loginThrottle = createLoginThrottle(app.redis, opts.throttlePrefix);

  // React Router's own CSRF check compares whole origins, scheme included, and this server
  // speaks plain HTTP behind a TLS proxy in production; the host check below stands in for it.
  const handleRequest = createRequestHandler({ ...build, allowedActionOrigins: ["**"] }, app.config.nodeEnv);

  const https = app.config.nodeEnv === "production";
  const server = http.createServer((req, res) => {
    const nonce = newNonce();
    for (const [name, value] of securityHeaders({ nonce, https })) res.setHeader(name, value);
    handle(req, res, nonce).catch((error: unknown) => {
      app.logger.error({ err: error, url: req.url }, "console request failed");
      if (!res.headersSent) text(res, 500, "Internal Server Error");
      else res.destroy();
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse, cspNonce: string) => {
    // A body left unread (refused, or the route never needed it) is discarded for a moment, so
    // the client reads the answer rather than a reset, then the connection is closed.
    res.on("finish", () => {
      if (req.complete) return;
      const linger = setTimeout(() => req.destroy(), 1_000);
      req.once("end", () => clearTimeout(linger)).resume();
    });
    if (await serveStatic(clientDir, req, res)) return;
    // Everything past the static files is a page or data for a person (signed in, or the
    // sign-in form): no browser or proxy keeps a copy.
    res.setHeader("Cache-Control", "no-store");
    const method = req.method ?? "GET";
    if (!SAFE_METHODS.has(method) && !isSameOrigin((name) => firstHeader(req, name)))
      return text(res, 403, "Forbidden: this request came from another site.");
    let body: BodyInit | null = null;
    if (method !== "GET" && method !== "HEAD") {
      if (isUpload(req))
        // The corpus action reads it after checking who is asking, keeps at most MAX_UPLOAD_BYTES
        // and drains a little more so the browser sees its refusal; nothing beyond is read.
        body = streamBody(req, 4 * MAX_UPLOAD_BYTES);
      else {
        const form = await readFormBody(req);
        if (!form.ok) {
          res.setHeader("Connection", "close");
          return text(
            res,
            413,
            `Too large: a console form may send at most ${MAX_FORM_BYTES / 1024} KiB (corpus files go through the upload form).`,
          );
        }
        body = form.bytes;
      }
    }
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const url = new URL(req.url ?? "/", `http://${headers.get("host") ?? "localhost"}`);
    const request = new Request(url, {
      method,
      headers,
      body,
      signal: abort.signal,
      ...(body ? { duplex: "half" } : {}),
    } as RequestInit);
    const response = await handleRequest(request, {
      app,
      pipeline: opts.pipeline,
      clientAddress: clientAddress(
        req.socket.remoteAddress ?? "",
        firstHeader(req, "x-forwarded-for"),
        app.config.admin.trustProxy ?? null,
      ),
      loginThrottle,
      cspNonce,
    });
    await sendResponse(req, res, response);
  };
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open until they time out; busy ones are
        // cut too, since shutdown should not wait on a browser that keeps a page loading.
        server.closeAllConnections();
      }),
  };
}

/** Multipart is accepted only where the console takes files: the corpus page's upload form. */
function isUpload(req: IncomingMessage): boolean {
  const type = (firstHeader(req, "content-type") ?? "").toLowerCase();
  return type.startsWith("multipart/form-data") && new URL(req.url ?? "/", "http://x").pathname === "/corpus";
}

/** Writes a fetch Response to Node's response, honouring backpressure. */
async function sendResponse(req: IncomingMessage, res: ServerResponse, response: Response): Promise<void> {
  const raw: string[] = [];
  // Iterating Headers yields each Set-Cookie on its own, as the wire needs them.
  for (const [key, value] of response.headers) raw.push(key, value);
  res.writeHead(response.status, raw);
  const reader = req.method === "HEAD" ? undefined : response.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    if (res.destroyed) {
      await reader!.cancel();
      break;
    }
    if (!res.write(next.value))
      await new Promise((resolve) => {
        res.once("drain", resolve);
        res.once("close", resolve);
      });
  }
  res.end();
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/** Serves a file of the client build if the path names one; true when it answered. */
async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
  } catch {
    return false; // malformed escapes: let the router answer 404
  }
  const isAsset = pathname.startsWith("/assets/");
  // No dot-segments (so no "..") and no hidden files such as .vite/manifest.json.
  const file = path.join(root, pathname);
  const safe =
    !pathname.includes("\0") &&
    !pathname.split("/").some((s) => s.startsWith(".")) &&
    file.startsWith(root + path.sep);
  const info = safe ? await stat(file).catch(() => null) : null;
  if (!info?.isFile()) {
    if (!isAsset) return false;
    text(res, 404, "Not Found"); // a missing hashed asset is a stale page, not a console route
    return true;
  }
  res.writeHead(200, {
    "Content-Type": CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "Content-Length": info.size,
    // Files under /assets/ have content hashes in their names, so they never change.
    "Cache-Control": isAsset ? "public, max-age=31536000, immutable" : "public, max-age=3600",
  });
  if (req.method === "HEAD") res.end();
  else
    createReadStream(file)
      .on("error", () => res.destroy())
      .pipe(res);
  return true;
}

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" }).end(body);
}
