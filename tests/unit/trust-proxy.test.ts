import { describe, expect, it } from "vitest";
import { backoffSeconds } from "../../admin/app/login-throttle.server.ts";
import { ConfigError, loadConfig } from "../../core/config.ts";
import { clientAddress, parseTrustProxy } from "../../core/trust-proxy.ts";

describe("TRUST_PROXY and the client's address", () => {
  it("believes nobody's X-Forwarded-For when unset", () => {
    expect(clientAddress("10.0.0.2", "203.0.113.9", null)).toBe("10.0.0.2");
    expect(clientAddress("::ffff:10.0.0.2", undefined, null)).toBe("10.0.0.2");
  });

  it("counts hops from the nearest proxy", () => {
    expect(clientAddress("10.0.0.2", "203.0.113.9", { hops: 1 })).toBe("203.0.113.9");
    // A client that writes its own header only adds entries on the far left.
    expect(clientAddress("10.0.0.2", "1.1.1.1, 203.0.113.9", { hops: 1 })).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.2", "1.1.1.1, 203.0.113.9, 10.0.0.1", { hops: 2 })).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.2", "203.0.113.9", { hops: 5 })).toBe("203.0.113.9");
    expect(clientAddress("10.0.0.2", "not-an-ip", { hops: 1 })).toBe("10.0.0.2");
  });

  it("skips only the trusted proxies' addresses", () => {
    const trust = { ranges: ["10.0.0.0/8", "fd00::/8"] };
    expect(clientAddress("10.0.0.2", "1.1.1.1, 203.0.113.9, 10.9.9.9", trust)).toBe("203.0.113.9");
    expect(clientAddress("fd00::1", "2001:db8::5", trust)).toBe("2001:db8::5");
    // A stranger connecting directly is not a proxy: its header is ignored.
    expect(clientAddress("198.51.100.4", "203.0.113.9", trust)).toBe("198.51.100.4");
  });

  it("parses the setting and names what is wrong", () => {
    expect(parseTrustProxy(undefined)).toBeNull();
    expect(parseTrustProxy("1")).toEqual({ hops: 1 });
    expect(parseTrustProxy("10.0.0.0/8, 192.168.1.7")).toEqual({ ranges: ["10.0.0.0/8", "192.168.1.7"] });
    expect(parseTrustProxy("10.0.0.0/33")).toBe('"10.0.0.0/33" is not an IP address or CIDR range');
    expect(loadConfig({ TRUST_PROXY: "2" }).admin.trustProxy).toEqual({ hops: 2 });
    expect(() => loadConfig({ TRUST_PROXY: "yes" })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: "yes" })).toThrow(/^TRUST_PROXY must be a number of proxy hops/);
  });
});

describe("sign-in back-off", () => {
  it("doubles after the free failures and stops at minutes, never a day", () => {
    expect([1, 5, 6, 7, 8, 9].map((n) => backoffSeconds("account", n))).toEqual([0, 0, 1, 2, 4, 8]);
    expect(backoffSeconds("account", 100)).toBe(15 * 60);
    expect(backoffSeconds("address", 20)).toBe(0);
    expect(backoffSeconds("address", 21)).toBe(1);
    expect(backoffSeconds("address", 10_000)).toBe(15 * 60);
  });
});
