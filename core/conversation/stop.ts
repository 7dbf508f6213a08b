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
 * Redis key is polled by the writer: one MGET of every watched generation's key twice a
 * second, however many are being written (1,000 drafts in flight were 2,000 EXISTS a second,
 * one timer each). The database's `stopRequestedAt` covers a job that has not started yet.
 */
export class StopSignals {
  private readonly local = new Map<string, Set<AbortController>>();
  private readonly prefix: string;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

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
    if (this.redis && !this.timer) {
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
    return {
      signal: controller.signal,
      dispose: () => {
        set.delete(controller);
        if (!set.size && this.local.get(generationId) === set) this.local.delete(generationId);
        if (!this.local.size && this.timer) {
          clearInterval(this.timer);
          this.timer = null;
        }
      },
    };
  }

  async request(generationId: string): Promise<void> {
    this.abort(generationId);
    await this.redis?.set(this.key(generationId), "1", "EX", 3_600).catch(() => undefined);
  }

  /** Asks Redis about every watched generation at once; one question at a time. */
  private poll(): void {
    const redis = this.redis;
    const ids = [...this.local.keys()];
    if (!redis || !ids.length || this.polling) return;
    this.polling = true;
    redis
      .mget(ids.map((id) => this.key(id)))
      .then(
        (values) => {
          for (const [i, v] of values.entries()) if (v !== null) this.abort(ids[i]!);
        },
        () => undefined, // Redis is down: the in-process path and the database still work
      )
      .finally(() => {
        this.polling = false;
      });
  }

  private abort(generationId: string): void {
    for (const c of this.local.get(generationId) ?? []) c.abort(new StopRequested(generationId));
  }

  private key(generationId: string): string {
    return `${this.prefix}:${generationId}`;
  }
}
