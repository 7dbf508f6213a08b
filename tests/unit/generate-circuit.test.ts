import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../core/generate/circuit.ts";

function breaker() {
  let now = 0;
  const circuit = new CircuitBreaker({
    failureThreshold: 3,
    windowMs: 1_000,
    coolDownMs: 5_000,
    now: () => now,
  });
  return { circuit, advance: (ms: number) => (now += ms) };
}

describe("CircuitBreaker", () => {
  it("opens after N consecutive failures within the window", () => {
    const { circuit } = breaker();
    for (let i = 0; i < 2; i++) {
      expect(circuit.tryAcquire()).toBe(true);
      circuit.recordFailure();
    }
    expect(circuit.state).toBe("closed");
    circuit.recordFailure();
    expect(circuit.state).toBe("open");
    expect(circuit.tryAcquire()).toBe(false);
    expect(circuit.retryAfterMs()).toBe(5_000);
  });

  it("does not add up failures spread wider than the window, nor across a success", () => {
    const { circuit, advance } = breaker();
    circuit.recordFailure();
    circuit.recordFailure();
    advance(1_500);
    circuit.recordFailure();
    expect(circuit.state).toBe("closed");
    circuit.recordFailure();
    circuit.recordSuccess();
    circuit.recordFailure();
    circuit.recordFailure();
    expect(circuit.state).toBe("closed");
  });

  it("lets one trial through after the cool-down and closes when it succeeds", () => {
    const { circuit, advance } = breaker();
    for (let i = 0; i < 3; i++) circuit.recordFailure();
    advance(4_999);
    expect(circuit.tryAcquire()).toBe(false);
    advance(1);
    expect(circuit.state).toBe("half_open");
    expect(circuit.tryAcquire()).toBe(true);
    expect(circuit.tryAcquire()).toBe(false); // one trial at a time
    circuit.recordSuccess();
    expect(circuit.state).toBe("closed");
    expect(circuit.tryAcquire()).toBe(true);
  });

  it("re-opens for a new cool-down when the trial fails", () => {
    const { circuit, advance } = breaker();
    for (let i = 0; i < 3; i++) circuit.recordFailure();
    advance(5_000);
    expect(circuit.tryAcquire()).toBe(true);
    circuit.recordFailure();
    expect(circuit.state).toBe("open");
    expect(circuit.retryAfterMs()).toBe(5_000);
  });

  it("frees the trial slot when the caller gives up without a verdict", () => {
    const { circuit, advance } = breaker();
    for (let i = 0; i < 3; i++) circuit.recordFailure();
    advance(5_000);
    expect(circuit.tryAcquire()).toBe(true);
    circuit.release();
    expect(circuit.state).toBe("half_open");
    expect(circuit.tryAcquire()).toBe(true);
  });
});
