import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `node --import tsx main.ts [part]` with a clean env: the sources as they are, no build
 * step. `compiled` runs `node dist/main.js [part]` instead, what `npm start` / `npm run <part>`
 * run (the caller builds it first: ops/build-server.mjs).
 */
export function startProduct(
  env: Record<string, string>,
  part?: string,
  opts: { compiled?: boolean } = {},
): Started {
  const entry = opts.compiled
    ? [path.join(ROOT, "dist", "main.js")]
    : ["--import", "tsx", path.join(ROOT, "main.ts")];
  const child = spawn(process.execPath, [...entry, ...(part ? [part] : [])], {
    cwd: ROOT,
    // MALLOC_ARENA_MAX as `npm start` and the image set it (decision 170).
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      LOG_LEVEL: "warn",
      MALLOC_ARENA_MAX: "2",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const waitFor = (text: string | RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const matches = () => (typeof text === "string" ? out.includes(text) : text.test(out));
      const timer = setInterval(() => {
        if (matches()) return done(resolve);
        if (child.exitCode !== null)
          done(() => reject(new Error(`process exited (${child.exitCode}) before "${text}":\n${out}`)));
      }, 50);
      const deadline = setTimeout(
        () => done(() => reject(new Error(`timed out waiting for "${text}":\n${out}`))),
        timeoutMs,
      );
      const done = (fn: () => void) => (clearInterval(timer), clearTimeout(deadline), fn());
    });
  return {
    child,
    output: () => out,
    exited,
    waitFor,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
