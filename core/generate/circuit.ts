/**
 * A small circuit breaker. While a dependency is down, every caller waiting out its own
 * timeouts and retries multiplies the outage (queues fill, chats sit silent); after a run of
 * failures we refuse at once for a cool-down, then let one trial call through to probe.
 *
 *   closed --N consecutive failures within windowMs--> open --coolDownMs--> half_open
 *   half_open --trial succeeds--> closed;  half_open --trial fails--> open (cool-down again)
 */
export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** Failures further apart than this do not add up (a slow trickle is not an outage). */
  windowMs: number;
  /** How long to refuse before a trial call. */
  coolDownMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private firstFailureAt = 0;
  private openedAt = 0;
  private opened = false;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly opts: CircuitOptions) {
    this.now = opts.now ?? Date.now;
  }

  get state(): CircuitState {
    if (!this.opened) return "closed";
    return this.now() - this.openedAt >= this.opts.coolDownMs ? "half_open" : "open";
  }

  /** Milliseconds until a trial call may run (0 when calls are allowed now). */
  retryAfterMs(): number {
    if (!this.opened) return 0;
    return Math.max(0, this.opts.coolDownMs - (this.now() - this.openedAt));
  }

  /**
   * Whether a call may run now. In half-open only one trial runs at a time; whoever gets
   * `true` must later call exactly one of recordSuccess, recordFailure or release.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.opened = false;
    this.trialInFlight = false;
  }

  recordFailure(): void {
    const now = this.now();
    if (this.opened) {
      // A failed trial (or a call admitted before the circuit opened): start a new cool-down.
      this.openedAt = now;
      this.trialInFlight = false;
      return;
    }
    if (this.failures === 0 || now - this.firstFailureAt > this.opts.windowMs) {
      this.failures = 0;
      this.firstFailureAt = now;
    }
    this.failures += 1;
    if (this.failures >= this.opts.failureThreshold) {
      this.opened = true;
      this.openedAt = now;
    }
  }

  /** The call ended without telling us anything about the dependency (the caller gave up). */
  release(): void {
    this.trialInFlight = false;
  }
}
