import { describe, expect, it } from "vitest";
import { until } from "../helpers/wait.ts";

describe("until", () => {
  it("returns the first truthy value a check gives, sync or async", async () => {
    let n = 0;
    expect(await until("the third check", () => (++n >= 3 ? n : 0), { intervalMs: 1 })).toBe(3);
    expect(await until("a resolved value", async () => "ready")).toBe("ready");
  });

  it("retries a check that throws, and names what it waited for when time runs out", async () => {
    let calls = 0;
    await expect(
      until(
        "the modal to open",
        () => {
          calls += 1;
          throw new Error("no view yet");
        },
        { timeoutMs: 60, intervalMs: 5, context: () => "server log: nothing" },
      ),
    ).rejects.toThrow(
      "timed out after 60 ms waiting for: the modal to open (last check threw: Error: no view yet)\nserver log: nothing",
    );
    expect(calls).toBeGreaterThan(1);
    await expect(until("never", () => false, { timeoutMs: 30, intervalMs: 5 })).rejects.toThrow(
      /^timed out after 30 ms waiting for: never$/,
    );
  });
});
