import { describe, expect, it } from "vitest";
import {
  dayColumn,
  localDay,
  localMonth,
  nextLocalMidnight,
  nextLocalMonth,
  startOfLocalMonth,
} from "../../core/time.ts";

describe("quota calendar", () => {
  it("uses the local day in Bangkok, not UTC", () => {
    const lateUtc = new Date("2026-11-26T18:30:00Z"); // 01:30 on the 27th in Bangkok
    expect(localDay(lateUtc, "Asia/Bangkok")).toBe("2026-11-27");
    expect(localDay(lateUtc, "UTC")).toBe("2026-11-26");
    expect(dayColumn(lateUtc, "Asia/Bangkok").toISOString()).toBe("2026-11-27T00:00:00.000Z");
  });

  it("resets at the next local midnight", () => {
    expect(nextLocalMidnight(new Date("2026-11-26T10:00:00Z"), "Asia/Bangkok").toISOString()).toBe(
      "2026-11-26T17:00:00.000Z",
    );
    expect(nextLocalMidnight(new Date("2026-11-26T17:00:00Z"), "Asia/Bangkok").toISOString()).toBe(
      "2026-11-27T17:00:00.000Z",
    );
    expect(nextLocalMidnight(new Date("2026-12-31T23:59:59Z"), "UTC").toISOString()).toBe(
      "2027-01-01T00:00:00.000Z",
    );
  });

  it("handles daylight-saving days", () => {
    // New York springs forward on 2026-03-08: that day has 23 hours.
    expect(nextLocalMidnight(new Date("2026-03-08T12:00:00Z"), "America/New_York").toISOString()).toBe(
      "2026-03-09T04:00:00.000Z",
    );
    expect(nextLocalMidnight(new Date("2026-03-07T12:00:00Z"), "America/New_York").toISOString()).toBe(
      "2026-03-08T05:00:00.000Z",
    );
  });

  it("knows the local month and its boundaries", () => {
    const now = new Date("2026-11-30T20:00:00Z"); // already December 1st in Bangkok
    expect(localMonth(now, "Asia/Bangkok")).toBe("2026-12");
    expect(startOfLocalMonth(now, "Asia/Bangkok").instant.toISOString()).toBe("2026-11-30T17:00:00.000Z");
    expect(startOfLocalMonth(now, "Asia/Bangkok").column.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(nextLocalMonth(now, "Asia/Bangkok").toISOString()).toBe("2026-12-31T17:00:00.000Z");
  });
});
