import type { Redis } from "../redis.ts";

/** The reason an aborted stream carries: the person asked to stop, nothing failed. */
export class StopRequested extends Error {
  override readonly name = "StopRequested";
  constructor(readonly generationId: string) {
    super("the person asked to stop this draft");
  }
}

export interface StopWatch {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Carries "stop" from whichever process heard it to whichever process is writing. In this
 * process the writer's AbortController is aborted at once; across processes a short-lived
 * Redis key is polled by the writer (a cheap EXISTS twice a second). The database's
 * `stopRequestedAt` covers a job that has not started yet.
 */
export class StopSignals {
  private readonly local = new Map<string, Set<AbortController>>();
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis | null,
    opts: { keyPrefix?: string; pollMs?: number } = {},
    private readonly pollMs = opts.pollMs ?? 500,
  ) {
    this.prefix = opts.keyPrefix ?? "ab:stop";
  }

  /** A signal that aborts (with StopRequested) when someone asks to stop this generation. */
  watch(generationId: string): StopWatch {
    const controller = new AbortController();
    const set = this.local.get(generationId) ?? new Set();
    set.add(controller);
    this.local.set(generationId, set);
    const redis = this.redis;
    const timer = redis
      ? setInterval(() => {
          void redis.exists(this.key(generationId)).then(
            (n) => {
              if (n > 0) controller.abort(new StopRequested(generationId));
            },
            () => undefined, // Redis is down: the in-process path and the database still work
          );
        }, this.pollMs)
      : null;
    timer?.unref();
    return {
      signal: controller.signal,
      dispose: () => {
        if (timer) clearInterval(timer);
        set.delete(controller);
        if (!set.size) this.local.delete(generationId);
      },
    };
  }

  async request(generationId: string): Promise<void> {
    for (const c of this.local.get(generationId) ?? []) c.abort(new StopRequested(generationId));
    await this.redis?.set(this.key(generationId), "1", "EX", 3_600).catch(() => undefined);
  }

  private key(generationId: string): string {
    return `${this.prefix}:${generationId}`;
  }
}
