import { afterEach, vi } from "vitest";

// As in the Epic Stack: an unexpected console.error fails the test, so noise cannot hide a bug.
const spy = vi.spyOn(console, "error");
afterEach(() => {
  const calls: unknown[][] = spy.mock.calls.slice();
  spy.mockClear();
  if (calls.length)
    throw new Error(`Unexpected console.error:\n${calls.map((c) => c.map(String).join(" ")).join("\n")}`);
});
