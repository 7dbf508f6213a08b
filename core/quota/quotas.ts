import { setTimeout as sleep } from "node:timers/promises";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import type { Redis } from "../redis.ts";
import {
  dayColumn,
  localDay,
  localMonth,
  nextLocalMidnight,
  nextLocalMonth,
  startOfLocalMonth,
} from "../time.ts";
import {
  anyCap,
  type CapDefaults,
  deliveredTotals,
  limitSettings,
  type OverallLimits,
  resolveCaps,
  type TenantLimits,
} from "./caps.ts";

/**
 * Tier quotas: a per-minute burst, a daily article limit and a monthly cost budget.
 *
 * What was delivered is counted in the database (DailyUsage rollups, written with each
 * generation); what is in flight is counted with rate-limiter-flexible (Redis, or memory in
 * the embedded profile). A reservation is allowed while `delivered + in flight <= limit`.
 * Consequences, on purpose:
 *   - limits are read from the tier on every request, so an edit applies at once and today's
 *     count is kept (it lives in the database, not in a limiter sized for the old tier);
 *   - the counters use atomic increments, so many processes sharing Redis stay exact;
 *   - losing Redis loses only in-flight reservations, never the day's or month's usage.
 */

/**
 * Which limit refused: the requester's tier (burst, daily, budget), their workspace's caps, or
 * the whole service's (core/quota/caps.ts). Stored on the refusal row; the copy names it.
 */
export type QuotaLimit =
  | "burst"
  | "daily"
  | "budget"
  | "workspace_daily"
  | "workspace_budget"
  | "overall_daily"
  | "overall_budget";

/** The limits above the requester's own tier: their workspace's and the whole service's. */
export const CAP_LIMITS = ["workspace_daily", "workspace_budget", "overall_daily", "overall_budget"] as const;
export type CapLimit = (typeof CAP_LIMITS)[number];

export function isCapLimit(limit: string): limit is CapLimit {
  return (CAP_LIMITS as readonly string[]).includes(limit);
}

export interface ReserveOptions {
  /**
   * False for a revision of an existing draft: it takes no article slot (no daily limits), but
   * the burst limit and the budgets still apply.
   */
  articleSlot?: boolean;
  /** The requester's workspace, for its caps; without it only the overall caps apply. */
  tenant?: TenantLimits | null;
  /** The console's overall limits when the caller read them already (with its first read); else read here. */
  overall?: OverallLimits;
}

export interface TierLimits {
  name: string;
  dailyArticleLimit: number | null;
  burstPerMinute: number;
  monthlyBudgetUsd: { toString(): string } | number | string | null;
}

/** A refusal as data; the platform layer words it for people, in their language. */
export interface QuotaExceeded {
  limit: QuotaLimit;
  tier: string;
  /** Articles (burst, daily) or USD (budgets) used before this request. */
  used: number;
  max: number;
  resetsAt: Date;
}

/** A workspace or overall counter a reservation holds: which one, its key, its points. */
export type HeldCounter = [counter: "day" | "budget", key: string, points: number];

/** Serializable: it travels with the job so whichever worker finishes can release it. */
export interface Reservation {
  requesterId: string;
  day: string;
  month: string;
  budgetMicros: number;
  /** False when no article slot was taken (a revision); absent on older jobs means true. */
  slot?: boolean;
  /** Workspace and overall counters taken besides the requester's own (absent: none). */
  held?: HeldCounter[];
}

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; refusal: QuotaExceeded };

const MICROS = 1_000_000;
// The limiters only count; the comparison with the tier's limit happens here, per request.
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** One limit checked by a reservation: a counter to take points from and what it may reach. */
/** How long a refusal at the edge waits before it looks again (see `reserve`). */
const RECHECK_MS = 50;

/** What the database says was delivered, read once per reservation. */
interface DeliveredNow {
  requester: { articles: number; costMicros: number };
  totals: Awaited<ReturnType<typeof deliveredTotals>> | null;
}

interface Check {
  limit: QuotaLimit;
  counter: "burst" | "day" | "budget";
  key: string;
  points: number;
  /**
   * Already delivered (articles or micro-USD), from the database reads made after the in-flight
   * counters were taken (see `reserve`).
   */
  delivered: (d: DeliveredNow) => number;
  max: number;
  money: boolean;
  resetsAt: Date | null;
  /** A workspace or overall counter, listed in the reservation's `held` (the requester's own
   * day and budget counters are released through its older fields; the burst window never). */
  held: boolean;
}

export class Quotas {
  private readonly counters: Record<Check["counter"], RateLimiterAbstract>;
  private readonly forgivenDay: RateLimiterAbstract;

  constructor(
    private readonly deps: {
      db: Database;
      redis: Redis | null;
      timeZone: string;
      keyPrefix?: string;
      /** Environment defaults of the workspace and overall caps; none when absent. */
      caps?: CapDefaults;
    },
  ) {
    const prefix = deps.keyPrefix ?? "ab:quota";
    // In-flight counters are keyed by day or month and only hold reservations for articles
    // still being written, so they need to outlive a job, not the period: two days is ample,
    // and stays under the 24.8-day ceiling of the in-memory limiter's setTimeout.
    this.counters = {
      burst: limiter(deps.redis, `${prefix}:burst`, 60),
      day: limiter(deps.redis, `${prefix}:day`, 2 * 86_400),
      budget: limiter(deps.redis, `${prefix}:budget`, 2 * 86_400),
    };
    this.forgivenDay = limiter(deps.redis, `${prefix}:forgiven`, 2 * 86_400);
  }

  async reserve(
    requesterId: string,
    tier: TierLimits,
    estimateUsd: number,
    now = new Date(),
    opts: ReserveOptions = {},
  ): Promise<ReserveResult> {
    const first = await this.tryReserve(requesterId, tier, estimateUsd, now, opts);
    if (first.ok || first.refusal.limit === "burst") return first;
    // A draft delivered a moment ago counts in the database and, until its worker releases its
    // reservation just after, in flight too: asked at the edge of a limit, look once more after
    // that moment rather than refuse someone the limit still has room for.
    await sleep(RECHECK_MS);
    return this.tryReserve(requesterId, tier, estimateUsd, now, opts);
  }

  private async tryReserve(
    requesterId: string,
    tier: TierLimits,
    estimateUsd: number,
    now: Date,
    opts: ReserveOptions,
  ): Promise<ReserveResult> {
    const slot = opts.articleSlot !== false;
    const tz = this.deps.timeZone;
    const day = localDay(now, tz);
    const month = localMonth(now, tz);
    const { checks, read } = await this.checksFor(
      requesterId,
      tier,
      estimateUsd,
      now,
      slot,
      opts.tenant ?? null,
      opts.overall,
    );

    // The in-flight counters are taken before the delivered totals are read. A draft delivered
    // in between is then counted twice for a moment (refusing at the edge, never admitting one
    // too many); read the other way round it would be counted nowhere and let one more through.
    const taken: Check[] = [];
    let results: Awaited<ReturnType<typeof consume>>[];
    let delivered: DeliveredNow;
    try {
      results = await Promise.all(
        checks.map(async (c) => {
          const res = await consume(this.counters[c.counter], c.key, c.points);
          taken.push(c);
          return res;
        }),
      );
      delivered = await read();
    } catch (error) {
      // Whatever was taken before the failure is given back: a failed request holds nothing.
      await Promise.all(taken.map((c) => this.counters[c.counter].reward(c.key, c.points))).catch(
        () => undefined,
      );
      throw error;
    }

    // `used` is capped at the limit: concurrent refused attempts inflate the in-flight count
    // for a moment (until they give their points back), and nobody has used more than the max.
    const refusals: QuotaExceeded[] = [];
    checks.forEach((c, i) => {
      const inflight = results[i]!.consumedPoints;
      const done = c.delivered(delivered);
      if (done + inflight <= c.max) return;
      const used = c.limit === "burst" ? inflight - 1 : Math.min(done + inflight - c.points, c.max);
      refusals.push({
        limit: c.limit,
        tier: tier.name,
        used: c.money ? used / MICROS : used,
        max: c.money ? c.max / MICROS : c.max,
        resetsAt: c.resetsAt ?? new Date(now.getTime() + results[i]!.msBeforeNext),
      });
    });

    if (refusals.length) {
      // A refused request holds nothing: give every point back so the counts stay exact.
      await Promise.all(taken.map((c) => this.counters[c.counter].reward(c.key, c.points)));
      // The one that frees up last; at equal times the narrowest (the requester's own) first.
      refusals.sort((a, b) => b.resetsAt.getTime() - a.resetsAt.getTime());
      return { ok: false, refusal: refusals[0]! };
    }
    const budgetMicros = checks.find((c) => c.limit === "budget")?.points ?? 0;
    const held = checks
      .filter((c) => c.held)
      .map((c): HeldCounter => [c.counter === "day" ? "day" : "budget", c.key, c.points]);
    return {
      ok: true,
      reservation: {
        requesterId,
        day,
        month,
        budgetMicros,
        ...(slot ? {} : { slot: false }),
        ...(held.length ? { held } : {}),
      },
    };
  }

  /** The limits this request is checked against: the tier's, then the workspace's and overall caps. */
  private async checksFor(
    requesterId: string,
    tier: TierLimits,
    estimateUsd: number,
    now: Date,
    slot: boolean,
    tenant: TenantLimits | null,
    overall: OverallLimits | undefined,
  ): Promise<{ checks: Check[]; read: () => Promise<DeliveredNow> }> {
    const tz = this.deps.timeZone;
    const day = localDay(now, tz);
    const month = localMonth(now, tz);
    const midnight = nextLocalMidnight(now, tz);
    const monthEnd = nextLocalMonth(now, tz);
    const budgetMax = tier.monthlyBudgetUsd === null ? null : toMicros(tier.monthlyBudgetUsd);
    const micros = Math.max(1, Math.ceil(estimateUsd * MICROS));
    const settings = this.deps.caps ? (overall ?? (await limitSettings(this.deps.db))) : null;
    const caps = this.deps.caps && settings ? resolveCaps(this.deps.caps, settings, tenant) : null;
    const withCaps = caps !== null && anyCap(caps);
    const read = async (): Promise<DeliveredNow> => {
      const [requester, totals] = await Promise.all([
        this.delivered(requesterId, now, slot && tier.dailyArticleLimit !== null, budgetMax !== null),
        withCaps ? deliveredTotals(this.deps.db, caps.tenantId, now, tz) : null,
      ]);
      return { requester, totals };
    };
    const checks: Check[] = [
      {
        limit: "burst",
        counter: "burst",
        key: requesterId,
        points: 1,
        delivered: () => 0,
        max: tier.burstPerMinute,
        money: false,
        resetsAt: null,
        held: false,
      },
    ];
    if (slot && tier.dailyArticleLimit !== null)
      checks.push({
        limit: "daily",
        counter: "day",
        key: `${requesterId}:${day}`,
        points: 1,
        delivered: (d) => d.requester.articles,
        max: tier.dailyArticleLimit,
        money: false,
        resetsAt: midnight,
        held: false,
      });
    if (budgetMax !== null)
      checks.push({
        limit: "budget",
        counter: "budget",
        key: `${requesterId}:${month}`,
        points: micros,
        delivered: (d) => d.requester.costMicros,
        max: budgetMax,
        money: true,
        resetsAt: monthEnd,
        held: false,
      });
    if (!withCaps) return { checks, read };
    const t = caps.tenantId;
    const add = (
      limit: QuotaLimit,
      counter: "day" | "budget",
      key: string,
      deliveredNow: (totals: NonNullable<DeliveredNow["totals"]>) => number,
      max: number | null,
      resetsAt: Date,
    ) => {
      if (max === null) return;
      const money = counter === "budget";
      checks.push({
        limit,
        counter,
        key,
        points: money ? micros : 1,
        delivered: (d) => {
          const n = d.totals ? deliveredNow(d.totals) : 0;
          return money ? toMicros(n) : n;
        },
        max: money ? toMicros(max) : max,
        money,
        resetsAt,
        held: true,
      });
    };
    if (t && slot)
      add(
        "workspace_daily",
        "day",
        `tenant:${t}:${day}`,
        (x) => x.tenantArticlesToday,
        caps.tenantDailyArticles,
        midnight,
      );
    if (t)
      add(
        "workspace_budget",
        "budget",
        `tenant:${t}:${month}`,
        (x) => x.tenantMonthUsd,
        caps.tenantMonthlyBudgetUsd,
        monthEnd,
      );
    add(
      "overall_daily",
      "budget",
      `overall:${day}`,
      (x) => x.overallTodayUsd,
      caps.overallDailySpendUsd,
      midnight,
    );
    add(
      "overall_budget",
      "budget",
      `overall:${month}`,
      (x) => x.overallMonthUsd,
      caps.overallMonthlyBudgetUsd,
      monthEnd,
    );
    return { checks, read };
  }

  /**
   * Ends a reservation. Call it after the generation's outcome is in the database: a delivered
   * article now counts there, a failed one counts nowhere, which is the refund.
   */
  async release(r: Reservation): Promise<void> {
    await Promise.all([
      r.slot === false ? null : this.counters.day.reward(`${r.requesterId}:${r.day}`, 1),
      r.budgetMicros ? this.counters.budget.reward(`${r.requesterId}:${r.month}`, r.budgetMicros) : null,
      ...(r.held ?? []).map(([counter, key, points]) => this.counters[counter].reward(key, points)),
    ]);
  }

  /**
   * Counts a reservation as in flight again, without checking limits: it was granted before a
   * restart emptied the in-memory counters (embedded profile), and its job is about to resume,
   * so the release that follows the job must find it.
   */
  async reinstate(r: Reservation): Promise<void> {
    await Promise.all([
      r.slot === false ? null : consume(this.counters.day, `${r.requesterId}:${r.day}`, 1),
      r.budgetMicros ? consume(this.counters.budget, `${r.requesterId}:${r.month}`, r.budgetMicros) : null,
      ...(r.held ?? []).map(([counter, key, points]) => consume(this.counters[counter], key, points)),
    ]);
  }

  /** What a requester has used today and this month, for refusals and the console. */
  async usage(requesterId: string, tier: TierLimits, now = new Date()) {
    const tz = this.deps.timeZone;
    const delivered = await this.delivered(requesterId, now, true, true);
    const inflight = Math.max(
      0,
      (await this.counters.day.get(`${requesterId}:${localDay(now, tz)}`))?.consumedPoints ?? 0,
    );
    return {
      today: {
        used: delivered.articles + inflight,
        limit: tier.dailyArticleLimit,
        resetsAt: nextLocalMidnight(now, tz),
        /** Articles delivered today (the rollup), in flight now, and forgiven by a reset. */
        delivered: delivered.deliveredToday,
        inFlight: inflight,
        forgiven: delivered.forgiven,
      },
      month: {
        spentUsd: delivered.costMicros / MICROS,
        budgetUsd: tier.monthlyBudgetUsd === null ? null : toMicros(tier.monthlyBudgetUsd) / MICROS,
        resetsAt: nextLocalMonth(now, tz),
      },
    };
  }

  /**
   * Console "reset today's quota": the first `deliveredToday` articles delivered today stop
   * counting against the daily limit. They stay in the rollups (dashboards and costs are
   * unchanged), articles in flight still count, and the monthly budget is untouched. Kept with
   * the in-flight counters (Redis, or memory when embedded), so losing Redis forgets a reset,
   * never more. Touches no database: a caller may run it inside its own transaction.
   */
  async resetToday(requesterId: string, deliveredToday: number, now = new Date()): Promise<void> {
    await this.forgivenDay.set(
      `${requesterId}:${localDay(now, this.deps.timeZone)}`,
      Math.max(0, Math.floor(deliveredToday)),
      2 * 86_400,
    );
  }

  private async delivered(requesterId: string, now: Date, needDay: boolean, needMonth: boolean) {
    const tz = this.deps.timeZone;
    const today = dayColumn(now, tz);
    // Today's articles and the month's cost in one statement (today is within the month).
    const [sums, forgiven] = await Promise.all([
      needDay || needMonth
        ? this.deps.db.prisma.$queryRaw<unknown[]>`
            SELECT COALESCE(SUM("articles") FILTER (WHERE "day" = ${today}::date), 0)::int AS "articles",
              COALESCE(SUM("costUsd"), 0)::text AS "costUsd"
            FROM "DailyUsage"
            WHERE "requesterId" = ${requesterId} AND "day" >= ${startOfLocalMonth(now, tz).column}::date`.then(
            (rows) => UsageSums.parse(rows[0]),
          )
        : null,
      needDay ? this.forgivenDay.get(`${requesterId}:${localDay(now, tz)}`) : null,
    ]);
    const deliveredToday = needDay ? (sums?.articles ?? 0) : 0;
    const forgivenToday = Math.max(0, forgiven?.consumedPoints ?? 0);
    return {
      articles: Math.max(0, deliveredToday - forgivenToday),
      deliveredToday,
      forgiven: forgivenToday,
      costMicros: needMonth && sums ? toMicros(sums.costUsd) : 0,
    };
  }
}

const UsageSums = z.object({ articles: z.number().int(), costUsd: z.string() });

function limiter(redis: Redis | null, keyPrefix: string, duration: number): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points: UNBOUNDED, duration });
  if (!redis) return memory;
  // While Redis is unreachable, each process counts in memory (the insurance limiter) rather
  // than refusing everyone or letting everyone through.
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points: UNBOUNDED,
    duration,
    insuranceLimiter: memory,
    rejectIfRedisNotReady: true,
  });
}

async function consume(l: RateLimiterAbstract, key: string, points: number): Promise<RateLimiterRes> {
  try {
    return await l.consume(key, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection; // cannot happen with UNBOUNDED points
    throw rejection;
  }
}

function toMicros(usd: { toString(): string } | number | string): number {
  return Math.round(Number(usd.toString()) * MICROS);
}
