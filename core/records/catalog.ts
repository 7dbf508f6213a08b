import { z } from "zod";
import type { Database, ModelPrice, Tier } from "../db/client.ts";
import type { OverallLimits } from "../quota/caps.ts";
import { Lru } from "../retrieval/lru.ts";
import type { PriceSource } from "./cost.ts";
import { type RequesterRef, type ResolvedRequester, resolveRequester } from "./requesters.ts";

/**
 * What every request reads and the console changes rarely: known requesters with the tier that
 * applies to them, and model prices. Each process keeps them in memory under the catalog
 * version, a counter in the database that every console change of a tier, price, requester or
 * workspace moves in its own transaction (catalog-version.ts, called by core/admin/audit.ts).
 * A request reads the version in a round trip it makes anyway (the duplicate check), so an edit
 * committed before it applies to it, in whichever process it lands: as exact as reading the rows
 * every time, without the reads. Newcomers are not a change: they miss the cache and are stored.
 */

/**
 * What the first read of a request learns: an earlier delivery's generation, the version, and
 * the console's overall limits (read with it rather than on their own before the quota check).
 */
export interface EventLookup {
  existingId: string | null;
  version: number;
  overall: OverallLimits;
}

const money = z
  .string()
  .nullable()
  .transform((v) => (v === null ? null : Number(v)));
const LookupRow = z.object({
  existingId: z.string().nullable(),
  version: z.number().int().nullable(),
  dailySpendUsd: money,
  monthlyBudgetUsd: money,
});

const KNOWN_REQUESTERS = 20_000;

export class Catalog implements PriceSource {
  private version = -1;
  private readonly requesters = new Lru<string, ResolvedRequester>(KNOWN_REQUESTERS);
  private readonly priced = new Map<string, ModelPrice | null>();
  private tiers: Promise<Map<string, Tier>> | null = null;

  constructor(private readonly db: Database) {}

  /**
   * One round trip: the generation this event already has (a retried delivery), the version,
   * and the overall limits (LimitSettings; core/quota/caps.ts reads the same row on its own).
   */
  async lookupEvent(requestKey: string): Promise<EventLookup> {
    const rows = await this.db.prisma.$queryRaw<unknown[]>`
      SELECT (SELECT "id" FROM "Generation" WHERE "requestKey" = ${requestKey}) AS "existingId",
             (SELECT "version" FROM "CatalogVersion" WHERE "id" = 1) AS "version",
             s."dailySpendUsd"::text AS "dailySpendUsd", s."monthlyBudgetUsd"::text AS "monthlyBudgetUsd"
      FROM (SELECT 1) AS one LEFT JOIN "LimitSettings" s ON s."id" = 'global'`;
    const row = LookupRow.parse(rows[0]);
    return {
      existingId: row.existingId,
      version: this.observe(row.version ?? 0),
      overall: { dailySpendUsd: row.dailySpendUsd, monthlyBudgetUsd: row.monthlyBudgetUsd },
    };
  }

  /** The version alone, for reads that need no duplicate check. */
  async currentVersion(): Promise<number> {
    const rows = await this.db.prisma.$queryRaw<{ version: number }[]>`
      SELECT "version" FROM "CatalogVersion" WHERE "id" = 1`;
    return this.observe(rows[0]?.version ?? 0);
  }

  /** The requester (created the first time) and their tier, as of `version`. */
  async requester(version: number, ref: RequesterRef): Promise<ResolvedRequester> {
    const key = `${ref.platform}\u0000${ref.tenant.externalId}\u0000${ref.requester.externalId}`;
    const known = this.current(version) ? this.requesters.get(key) : undefined;
    if (known) return known;
    const resolved = await resolveRequester(this.db, ref, (id) => this.tier(version, id));
    if (this.current(version)) this.requesters.set(key, resolved);
    return resolved;
  }

  /** Prices of these models as of the version last read (PriceSource). */
  async prices(models: string[], version = this.version): Promise<ModelPrice[]> {
    const cached = this.current(version);
    const missing = cached ? models.filter((m) => !this.priced.has(m)) : models;
    const loaded = missing.length
      ? await this.db.prisma.modelPrice.findMany({ where: { model: { in: missing } } })
      : [];
    if (!cached) return loaded;
    if (this.current(version)) {
      const byModel = new Map(loaded.map((p) => [p.model, p]));
      for (const m of missing) this.priced.set(m, byModel.get(m) ?? null);
    }
    return models.flatMap((m) => this.priced.get(m) ?? []);
  }

  /** A tier as of `version`: all tiers are read at once (there are a handful) and kept. */
  private async tier(version: number, id: string): Promise<Tier> {
    if (!this.current(version)) return this.db.prisma.tier.findUniqueOrThrow({ where: { id } });
    if (!this.tiers) {
      const loading = this.db.prisma.tier.findMany().then((all) => new Map(all.map((t) => [t.id, t])));
      loading.catch(() => {
        if (this.tiers === loading) this.tiers = null; // a failed read is not kept
      });
      this.tiers = loading;
    }
    const tier = (await this.tiers).get(id);
    // A tier created after the read (the version moves with it, so this is a race with the console).
    return tier ?? this.db.prisma.tier.findUniqueOrThrow({ where: { id } });
  }

  /** Forgets everything held when the version moved on; an older reader just bypasses the cache. */
  private observe(version: number): number {
    if (version > this.version) {
      this.version = version;
      this.requesters.clear();
      this.priced.clear();
      this.tiers = null;
    }
    return version;
  }

  private current(version: number): boolean {
    return version === this.version;
  }
}
