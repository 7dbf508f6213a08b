import type { AppContext } from "../../core/app.ts";
import { describeConfig } from "../../core/config.ts";

export interface Overview {
  /** describeConfig's lines split into the part's name and what it runs on. */
  parts: Array<{ name: string; value: string }>;
  counts: { tiers: number; tenants: number; requesters: number; generations: number };
}

/** What the landing page shows: the configuration this process started with, and live counts. */
export async function loadOverview(app: AppContext): Promise<Overview> {
  const p = app.db.prisma;
  const [tiers, tenants, requesters, generations] = await Promise.all([
    p.tier.count({ where: { retiredAt: null } }),
    p.tenant.count(),
    p.requester.count(),
    p.generation.count(),
  ]);
  const parts = describeConfig(app.config).map((line) => {
    const [, name = line, value = ""] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    return { name, value };
  });
  return { parts, counts: { tiers, tenants, requesters, generations } };
}
