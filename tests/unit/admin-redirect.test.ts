import { describe, expect, it } from "vitest";
import { safeRedirect } from "../../admin/app/auth.server.ts";

describe("safeRedirect", () => {
  it("keeps paths on the console", () => {
    expect(safeRedirect("/tiers?after=x#top")).toBe("/tiers?after=x#top");
    expect(safeRedirect("/requesters/abc")).toBe("/requesters/abc");
  });

  it.each([
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "//evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "/.//evil.example",
    "/a/..//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " /tiers",
    "/\u0000/evil.example",
    "/\u007f/evil.example",
    "",
  ])("refuses %j", (to) => {
    expect(safeRedirect(to, "/fallback")).toBe("/fallback");
  });

  it("refuses what is not a string", () => {
    expect(safeRedirect(null)).toBe("/");
    expect(safeRedirect(undefined)).toBe("/");
  });

  it("what it returns resolves to the console's own origin, as a browser would resolve it", () => {
    for (const to of ["/a/../b", "/%2F%2Fevil.example", "/./tiers", "/%09/evil.example"]) {
      const kept = safeRedirect(to, "/fallback");
      expect(new URL(kept, "https://console.example").origin).toBe("https://console.example");
    }
  });
});
