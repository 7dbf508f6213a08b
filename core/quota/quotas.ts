import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
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

export type QuotaLimit = "burst" | "daily" | "budget";

export interface ReserveOptions {
  /**
   * False for a revision of an existing draft: it takes no article slot (no daily limit), but
   * the burst limit and the monthly budget still apply.
   */
  articleSlot?: boolean;
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
  /** Articles (burst, daily) or USD (budget) used before this request. */
  used: number;
  max: number;
  resetsAt: Date;
}

/** Serializable: it travels with the job so whichever worker finishes can release it. */
export interface Reservation {
  requesterId: string;
  day: string;
  month: string;
  budgetMicros: number;
  /** False when no article slot was taken (a revision); absent on older jobs means true. */
  slot?: boolean;
}

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; refusal: QuotaExceeded };

const MICROS = 1_000_000;
// The limiters only count; the comparison with the tier's limit happens here, per request.
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export class Quotas {
  private readonly burst: RateLimiterAbstract;
  private readonly inflightDay: RateLimiterAbstract;
  private readonly inflightBudget: RateLimiterAbstract;
  private readonly forgivenDay: RateLimiterAbstract;

  constructor(
    private readonly deps: { db: Database; redis: Redis | null; timeZone: string; keyPrefix?: string },
  ) {
    const prefix = deps.keyPrefix ?? "ab:quota";
    this.burst = limiter(deps.redis, `${prefix}:burst`, 60);
    // In-flight counters are keyed by day or month and only hold reservations for articles
    // still being written, so they need to outlive a job, not the period: two days is ample,
    // and stays under the 24.8-day ceiling of the in-memory limiter's setTimeout.
    this.inflightDay = limiter(deps.redis, `${prefix}:day`, 2 * 86_400);
    this.inflightBudget = limiter(deps.redis, `${prefix}:budget`, 2 * 86_400);
    this.forgivenDay = limiter(deps.redis, `${prefix}:forgiven`, 2 * 86_400);
  }

  async reserve(
    requesterId: string,
    tier: TierLimits,
    estimateUsd: number,
    now = new Date(),
    opts: ReserveOptions = {},
  ): Promise<ReserveResult> {
    const slot = opts.articleSlot !== false;
    const tz = this.deps.timeZone;
    const day = localDay(now, tz);
    const month = localMonth(now, tz);
    const budgetMax = tier.monthlyBudgetUsd === null ? null : toMicros(tier.monthlyBudgetUsd);
    const budgetMicros = budgetMax === null ? 0 : Math.max(1, Math.ceil(estimateUsd * MICROS));
    // What was delivered (database) and the in-flight counters (Redis) are read at once: the
    // comparison below needs both, neither needs the other.
    const deliveredRead = this.delivered(
      requesterId,
      now,
      slot && tier.dailyArticleLimit !== null,
      budgetMax !== null,
    );
    deliveredRead.catch(() => undefined); // awaited below; a failure is reported from there

    const taken: Array<[RateLimiterAbstract, string, number]> = [];
    const take = async (l: RateLimiterAbstract, key: string, points: number) => {
      const res = await consume(l, key, points);
      taken.push([l, key, points]);
      return res;
    };
    const counted = Promise.all([
      take(this.burst, requesterId, 1),
      tier.dailyArticleLimit === null || !slot ? null : take(this.inflightDay, `${requesterId}:${day}`, 1),
      budgetMax === null ? null : take(this.inflightBudget, `${requesterId}:${month}`, budgetMicros),
    ]);
    const [[burst, daily, budget], delivered] = await Promise.all([counted, deliveredRead]).catch(
      async (error: unknown) => {
        // Whatever was taken before the failure is given back: a failed request holds nothing.
        await counted.catch(() => undefined);
        await Promise.all(taken.map(([l, key, points]) => l.reward(key, points))).catch(() => undefined);
        throw error;
      },
    );

    // `used` is capped at the limit: concurrent refused attempts inflate the in-flight count
    // for a moment (until they give their points back), and nobody has used more than the max.
    const refusals: QuotaExceeded[] = [];
    if (burst.consumedPoints > tier.burstPerMinute)
      refusals.push({
        limit: "burst",
        tier: tier.name,
        used: burst.consumedPoints - 1,
        max: tier.burstPerMinute,
        resetsAt: new Date(now.getTime() + burst.msBeforeNext),
      });
    if (daily && delivered.articles + daily.consumedPoints > tier.dailyArticleLimit!)
      refusals.push({
        limit: "daily",
        tier: tier.name,
        used: Math.min(delivered.articles + daily.consumedPoints - 1, tier.dailyArticleLimit!),
        max: tier.dailyArticleLimit!,
        resetsAt: nextLocalMidnight(now, tz),
      });
    if (budget && delivered.costMicros + budget.consumedPoints > budgetMax!)
      refusals.push({
        limit: "budget",
        tier: tier.name,
        used: Math.min(delivered.costMicros + budget.consumedPoints - budgetMicros, budgetMax!) / MICROS,
        max: budgetMax! / MICROS,
        resetsAt: nextLocalMonth(now, tz),
      });

    if (refusals.length) {
      // A refused request holds nothing: give every point back so the counts stay exact.
      await Promise.all(taken.map(([l, key, points]) => l.reward(key, points)));
      refusals.sort((a, b) => b.resetsAt.getTime() - a.resetsAt.getTime());
      return { ok: false, refusal: refusals[0]! };
    }
    return {
      ok: true,
      reservation: { requesterId, day, month, budgetMicros, ...(slot ? {} : { slot: false }) },
    };
  }

  /**
   * Ends a reservation. Call it after the generation's outcome is in the database: a delivered
   * article now counts there, a failed one counts nowhere, which is the refund.
   */
  async release(r: Reservation): Promise<void> {
    await Promise.all([
      r.slot === false ? null : this.inflightDay.reward(`${r.requesterId}:${r.day}`, 1),
      r.budgetMicros ? this.inflightBudget.reward(`${r.requesterId}:${r.month}`, r.budgetMicros) : null,
    ]);
  }

  /**
   * Counts a reservation as in flight again, without checking limits: it was granted before a
   * restart emptied the in-memory counters (embedded profile), and its job is about to resume,
   * so the release that follows the job must find it.
   */
  async reinstate(r: Reservation): Promise<void> {
    await Promise.all([
      consume(this.inflightDay, `${r.requesterId}:${r.day}`, 1),
      r.budgetMicros ? consume(this.inflightBudget, `${r.requesterId}:${r.month}`, r.budgetMicros) : null,
    ]);
  }

  /** What a requester has used today and this month, for refusals and the console. */
  async usage(requesterId: string, tier: TierLimits, now = new Date()) {
    const tz = this.deps.timeZone;
    const delivered = await this.delivered(requesterId, now, true, true);
    const inflight = Math.max(
      0,
      (await this.inflightDay.get(`${requesterId}:${localDay(now, tz)}`))?.consumedPoints ?? 0,
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
    const usage = this.deps.db.prisma.dailyUsage;
    const [today, month, forgiven] = await Promise.all([
      needDay
        ? usage.findUnique({
            where: { day_requesterId: { day: dayColumn(now, tz), requesterId } },
            select: { articles: true },
          })
        : null,
      needMonth
        ? usage.aggregate({
            where: { requesterId, day: { gte: startOfLocalMonth(now, tz).column } },
            _sum: { costUsd: true },
          })
        : null,
      needDay ? this.forgivenDay.get(`${requesterId}:${localDay(now, tz)}`) : null,
    ]);
    const deliveredToday = today?.articles ?? 0;
    const forgivenToday = Math.max(0, forgiven?.consumedPoints ?? 0);
    return {
      articles: Math.max(0, deliveredToday - forgivenToday),
      deliveredToday,
      forgiven: forgivenToday,
      costMicros: month?._sum.costUsd ? toMicros(month._sum.costUsd) : 0,
    };
  }
}

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
