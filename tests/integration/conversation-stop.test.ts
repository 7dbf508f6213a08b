import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StopRequested, StopSignals } from "../../core/conversation/stop.ts";
import { connectRedis, type Redis } from "../../core/redis.ts";
import { REDIS_URL } from "../helpers/services.ts";

let one: Redis;
let two: Redis;
beforeAll(async () => {
  one = connectRedis(REDIS_URL);
  two = connectRedis(REDIS_URL);
  await Promise.all([one.connect(), two.connect()]);
});
afterAll(() => {
  one?.disconnect();
  two?.disconnect();
});

const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) =>
    signal.addEventListener("abort", () => resolve(signal.reason), { once: true }),
  );

describe("stop signals", () => {
  it("reach a writer in another process through Redis", async () => {
    const keyPrefix = `ab:test:stop:${randomBytes(4).toString("hex")}`;
    const heard = new StopSignals(one, { keyPrefix, pollMs: 20 });
    const writer = new StopSignals(two, { keyPrefix, pollMs: 20 });
    const watch = writer.watch("gen-1");
    const other = writer.watch("gen-2");
    try {
      await heard.request("gen-1");
      const reason = await aborted(watch.signal);
      expect(reason).toBeInstanceOf(StopRequested);
      expect((reason as StopRequested).generationId).toBe("gen-1");
      expect(other.signal.aborted).toBe(false);
    } finally {
      watch.dispose();
      other.dispose();
    }
  });

  it("abort at once in the same process, without Redis (embedded)", async () => {
    const signals = new StopSignals(null);
    const watch = signals.watch("gen-3");
    await signals.request("gen-3");
    expect(watch.signal.aborted).toBe(true);
    watch.dispose();
    await signals.request("gen-3"); // nobody is watching any more: nothing to do, no error
  });
});
