import { describe, expect, it } from "vitest";
import { Semaphore } from "../../core/semaphore.ts";

describe("the semaphore", () => {
  it("runs at most `concurrency` at once, in arrival order, and says when the line is full", async () => {
    const semaphore = new Semaphore({ permits: 2, maxWaiting: 3 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const work = (i: number) =>
      semaphore.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        order.push(i);
        running -= 1;
      });
    const all = [1, 2, 3, 4, 5].map(work);
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(2);
    expect(semaphore.full).toBe(true);
    expect(semaphore.size).toBe(5);
    while (order.length < 5) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(semaphore.size).toBe(0);
    expect(semaphore.full).toBe(false);
  });

  it("frees the slot of a task that failed", async () => {
    const semaphore = new Semaphore({ permits: 1, maxWaiting: 10 });
    await expect(semaphore.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(semaphore.run(async () => "next")).resolves.toBe("next");
  });

  it("refuses to start work once the line is full, and says when everything is done", async () => {
    const semaphore = new Semaphore({ permits: 1, maxWaiting: 1 });
    const gates: Array<() => void> = [];
    const done: number[] = [];
    const work = (i: number) => async () => {
      await new Promise<void>((r) => gates.push(r));
      done.push(i);
    };
    expect(semaphore.tryRun(work(1))).toBe(true);
    expect(semaphore.tryRun(work(2))).toBe(true);
    expect(semaphore.tryRun(work(3))).toBe(false);
    let idle = false;
    const whenIdle = semaphore.idle().then(() => {
      idle = true;
    });
    while (done.length < 2) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await whenIdle;
    expect(done).toEqual([1, 2]);
    expect(idle).toBe(true);
    expect(semaphore.size).toBe(0);
  });

  it("follows a permit count that changes (one at a time under a burst)", async () => {
    let permits = 2;
    const semaphore = new Semaphore({ permits: () => permits });
    const gates: Array<() => void> = [];
    let running = 0;
    let peak = 0;
    const work = () =>
      semaphore.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        running -= 1;
      });
    const first = [work(), work()];
    await new Promise((r) => setImmediate(r));
    expect(semaphore.inUse).toBe(2);
    permits = 1;
    const later = [work(), work()];
    peak = 0;
    while (gates.length || semaphore.size) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all([...first, ...later]);
    expect(peak).toBe(1);
  });
});
