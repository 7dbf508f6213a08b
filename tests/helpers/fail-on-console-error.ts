import { afterEach, vi } from "vitest";

// As in the Epic Stack: an unexpected console.error fails the test, so noise cannot hide a bug.
// A test that expects one spies on console.error itself (that spy replaces this one).
let spy: ReturnType<typeof vi.spyOn> | undefined;
afterEach(() => {
  const calls = spy?.mock.calls ?? [];
  spy?.mockClear();
  if (calls.length) throw new Error(`Unexpected console.error: ${calls.map((c) => c.map(String).join(" ")).join("\n")}`);
});
spy = vi.spyOn(console, "error");
