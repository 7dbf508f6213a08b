import { vi } from "vitest";

export interface UntilOptions {
  /** How long to keep checking (default 30 s, half the test timeout). */
  timeoutMs?: number;
  /** Pause between checks (default 25 ms). */
  intervalMs?: number;
  /** More to say when it times out (a child process's log, say), read only then. */
  context?: () => string;
}

/** What a truthy check returns (`false`, `null`, `undefined`, `0` and `""` mean "not yet"). */
export type Truthy<T> = Exclude<T, null | undefined | false | 0 | "">;

/** A check that ran but found nothing yet: not worth reporting as the reason it timed out. */
class NotYet extends Error {}

/**
 * Waits until `check` returns something truthy, and returns that. Built on vi.waitFor (so it
 * also advances fake timers); a check that throws is retried like one that returns nothing. On
 * time-out it fails with what was awaited and, if the last check threw, what it threw:
 * "timed out after 30000 ms waiting for: the modal to open (last check threw: …)".
 */
export async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  opts: UntilOptions = {},
): Promise<Truthy<T>> {
  const timeout = opts.timeoutMs ?? 30_000;
  let threw: unknown;
  try {
    return await vi.waitFor(
      async () => {
        let value: T;
        try {
          value = await check();
        } catch (error) {
          threw = error;
          throw error;
        }
        threw = undefined;
        if (!value) throw new NotYet(what);
        return value as Truthy<T>;
      },
      { timeout, interval: opts.intervalMs ?? 25 },
    );
  } catch {
    const reason = threw === undefined ? "" : ` (last check threw: ${String(threw)})`;
    const context = opts.context ? `\n${opts.context()}` : "";
    throw new Error(`timed out after ${timeout} ms waiting for: ${what}${reason}${context}`);
  }
}
