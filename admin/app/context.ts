import type { AppContext } from "../../core/app.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import type { LoginThrottle } from "./login-throttle.server.ts";

/**
 * What admin/server.ts hands every loader and action. Services arrive here rather than through
 * module-level singletons: the server bundle is a module graph of its own, and the process
 * opened the database and Redis once, before the console started.
 */
declare module "react-router" {
  interface AppLoadContext {
    app: AppContext;
    /** Quotas, topic cache, corpus and the queue, shared with the bot and worker parts. */
    pipeline: Pipeline;
    /** The TCP peer's address: what per-IP sign-in throttling counts against. */
    clientAddress: string;
    /** Created once per console server, so counted failures outlive a single request. */
    loginThrottle: LoginThrottle;
    /** This response's CSP nonce: React Router's inline scripts carry it (entry.server.tsx). */
    cspNonce: string;
  }
}
