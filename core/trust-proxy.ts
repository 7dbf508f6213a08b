import { BlockList, isIP } from "node:net";

/**
 * Who is really asking. Behind the TLS proxy the README recommends, every request comes from the
 * proxy's address, so a sign-in throttle keyed on the TCP peer would lock everyone out together.
 * X-Forwarded-For is believed only as far as TRUST_PROXY says: a number of proxy hops in front
 * of the console, or the addresses (CIDR ranges) of the proxies. Unset: the peer, always —
 * anyone can write that header.
 */
export type TrustProxy = { hops: number } | { ranges: string[] } | null;

export function clientAddress(peer: string, forwardedFor: string | undefined, trust: TrustProxy): string {
  const self = unmapped(peer);
  if (!trust || !forwardedFor) return self;
  // Nearest hop last: [client, proxy1, …, peer].
  const chain = forwardedFor
    .split(",")
    .map((a) => unmapped(a.trim()))
    .filter((a) => isIP(a) !== 0)
    .concat(self);
  if ("hops" in trust) return chain[Math.max(0, chain.length - 1 - trust.hops)]!;
  const trusted = blockList(trust.ranges);
  let i = chain.length - 1;
  while (i > 0 && isTrusted(trusted, chain[i]!)) i--;
  return chain[i]!;
}

/** "10.0.0.0/8, 192.168.1.7, fd00::/8" -> a list, or a message naming what is wrong. */
export function parseTrustProxy(value: string | undefined): TrustProxy | string {
  const v = value?.trim();
  if (!v) return null;
  if (/^\d{1,2}$/.test(v)) return { hops: Number(v) };
  const ranges = v.split(",").map((r) => r.trim());
  for (const r of ranges) {
    const [address, prefix, ...rest] = r.split("/");
    const family = isIP(address ?? "");
    const max = family === 6 ? 128 : 32;
    const okPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    if (!family || !okPrefix || rest.length) return `"${r}" is not an IP address or CIDR range`;
  }
  return { ranges };
}

/** The parsed setting of a value the contract has already validated. */
export function trustProxyOf(value: string | undefined): TrustProxy {
  const parsed = parseTrustProxy(value);
  return typeof parsed === "string" ? null : parsed;
}

function blockList(ranges: string[]): BlockList {
  const list = new BlockList();
  for (const r of ranges) {
    const [address, prefix] = r.split("/") as [string, string | undefined];
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

function isTrusted(list: BlockList, address: string): boolean {
  return list.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/** "::ffff:203.0.113.9" is the IPv4 client 203.0.113.9 on a dual-stack socket. */
function unmapped(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
