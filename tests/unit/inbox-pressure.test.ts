import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Pressure } from "../../core/inbox/pressure.ts";

/** The inbox's pace: calm, flooded, and how a flood's handling follows the event loop's lateness. */
describe("inbox pressure", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-02T05:00:00.000Z"));
  });
  afterEach(() => vi.useRealTimers());

  let lagMs = 0;
  const pressure = () => new Pressure({ concurrency: 16, busyPerSecond: 10, floodLagMs: 20 }, () => lagMs);
  const nextSecond = () => vi.advanceTimersByTime(1_000);
  const flood = (p: Pressure) => {
    for (let i = 0; i < 11; i++) p.hit();
  };

  it("handles `concurrency` at once while calm", () => {
    const p = pressure();
    for (let i = 0; i < 10; i++) p.hit();
    expect(p.concurrency()).toBe(16);
  });

  it("drops to one at a time in a flood, doubles each second the loop keeps up, halves when it is late", () => {
    lagMs = 5;
    const p = pressure();
    flood(p);
    expect(p.concurrency()).toBe(1);
    const seen: number[] = [];
    for (let s = 0; s < 6; s++) {
      nextSecond();
      flood(p);
      seen.push(p.concurrency());
    }
    expect(seen).toEqual([2, 4, 8, 16, 16, 16]); // never above the calm concurrency
    lagMs = 35;
    nextSecond();
    flood(p);
    expect(p.concurrency()).toBe(8);
    nextSecond();
    flood(p);
    expect(p.concurrency()).toBe(4);
  });

  it("starts the next flood at one again", () => {
    lagMs = 0;
    const p = pressure();
    flood(p);
    for (let s = 0; s < 3; s++) {
      nextSecond();
      flood(p);
    }
    expect(p.concurrency()).toBe(8);
    nextSecond(); // a calm second: the last one's puts still count
    nextSecond(); // two calm seconds: calm
    expect(p.concurrency()).toBe(16);
    flood(p);
    expect(p.concurrency()).toBe(1);
  });
});
