import { describe, expect, it } from "vitest";
import { effectiveTier } from "../../core/records/tiers.ts";
import {
  canShorten,
  isHelpRequest,
  LENGTH_LIMITS,
  nextTone,
  shorterTarget,
  TONES,
} from "../../core/request/rules.ts";

describe("product rules shared by Slack, LINE and the console", () => {
  it("walks 'another angle' through every tone in one order, wrapping around", () => {
    expect(TONES).toEqual(["executive", "visionary", "practical", "analytical"]);
    expect(nextTone("executive")).toBe("visionary");
    expect(nextTone("visionary")).toBe("practical");
    expect(nextTone("practical")).toBe("analytical");
    expect(nextTone("analytical")).toBe("executive");
  });

  it("makes 'shorter' about half, on a 50-word step, never below the minimum", () => {
    expect(LENGTH_LIMITS).toEqual({ minWords: 150, defaultWords: 800, maxWords: 4_000 });
    expect(shorterTarget(800)).toBe(400);
    expect(shorterTarget(1_000)).toBe(500);
    expect(shorterTarget(650)).toBe(350); // 325 rounds to the nearest step
    expect(shorterTarget(300)).toBe(150);
    expect(shorterTarget(200)).toBe(150);
    expect(shorterTarget(150)).toBe(150);
  });

  it("offers 'shorter' only when it would change the length", () => {
    expect(canShorten(800)).toBe(true);
    expect(canShorten(200)).toBe(true);
    expect(canShorten(150)).toBe(false);
  });

  it("recognises a call for help in English and Thai, and nothing that names a topic", () => {
    for (const text of ["help", "  Help!  ", "?", "/help", "ช่วยด้วย", "วิธีใช้", "ใช้งานยังไง", "hi", "สวัสดีครับ"])
      expect(isHelpRequest(text), text).toBe(true);
    for (const text of ["help desks in retail", "AI in healthcare", "ช่วยเขียนเรื่อง AI", ""])
      expect(isHelpRequest(text), text).toBe(false);
  });
});

describe("the effective tier", () => {
  const free = { id: "free", name: "Free" };
  const pro = { id: "pro", name: "Pro" };

  it("is the requester's own tier when an admin set one, else the workspace's default", () => {
    expect(effectiveTier({ tier: pro, tenant: { defaultTier: free } })).toBe(pro);
    expect(effectiveTier({ tier: null, tenant: { defaultTier: free } })).toBe(free);
  });
});
