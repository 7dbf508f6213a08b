import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AppContext } from "../core/app.ts";
import { registry } from "../core/metrics.ts";

/** A platform ingress (Slack events, LINE webhook) plugs in here by method and path. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpServer {
  url: string;
  route(method: string, path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 2_000;

/**
 * A process's HTTP server: the operational endpoints (GET /healthz, /readyz, /metrics) every
 * part that runs one serves — the bot, and a worker-only process for Prometheus — plus the
 * routes a bot's platforms mount on it (their webhooks). Plain node:http, because webhooks
 * must be acknowledged within Slack's 3 s / LINE's 2 s and a framework adds nothing here but
 * latency. Not bot code: it knows no platform.
 */
export async function startHttpServer(
  app: AppContext,
  opts: { host: string; port: number },
): Promise<HttpServer> {
  const routes = new Map<string, RouteHandler>();
  const route = (method: string, path: string, handler: RouteHandler) =>
    routes.set(`${method} ${path}`, handler);

  route("GET", "/healthz", (_req, res) => sendJson(res, 200, { status: "ok" }));
  route("GET", "/readyz", async (_req, res) => {
    const checks = await readiness(app);
    sendJson(res, Object.values(checks).every((c) => c === "ok" || c === "embedded") ? 200 : 503, { checks });
  });
  route("GET", "/metrics", async (_req, res) => {
    res.writeHead(200, { "content-type": registry.contentType });
    res.end(await registry.metrics());
  });

  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const handler = routes.get(`${req.method} ${path}`);
    if (!handler) return sendJson(res, 404, { error: "not found" });
    try {
      await handler(req, res);
    } catch (error) {
      app.logger.error({ err: error, path }, "request handler failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.end();
    }
  });
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}`,
    route,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

type Check = "ok" | "embedded" | "down";

async function readiness(app: AppContext): Promise<Record<string, Check>> {
  const probe = async (work: () => Promise<unknown>): Promise<Check> => {
    try {
      await withTimeout(work(), READY_TIMEOUT_MS);
      return "ok";
    } catch {
      return "down";
    }
  };
  const [database, redis] = await Promise.all([
    probe(() => app.db.ping()),
    app.redis ? probe(() => app.redis!.ping()) : Promise.resolve<Check>("embedded"),
  ]);
  return { database, redis };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** A JSON answer (null: an empty body), with its length, never cached. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  if (body === null) {
    res.writeHead(status, { "content-length": "0" });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}
