import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import type { LoadPlan, RequestRecord, Sample } from "./driver.ts";
import type { Stack } from "./stack.ts";

export interface Summary {
  scenario: string;
  description: string;
  processes: string;
  articleWords: number;
  wallSeconds: number;
  requests: number;
  acknowledged: number;
  acceptedPerMinute: number;
  deliveredPerMinute: number;
  ackMs: Percentiles;
  firstMessageMs: Percentiles;
  /** First visible draft text, per platform (LINE batches its free reply; Slack streams). */
  firstMessageByPlatformMs: Record<string, Percentiles>;
  endToEndMs: Percentiles;
  outcomes: Record<RequestRecord["outcome"], number>;
  errorRate: number;
  peakUsers: number;
  peakQueueWaiting: number;
  peakMemoryMiB: Record<string, number>;
  /** From the database and the fake LINE after the run. */
  check: {
    generations: Record<string, number>;
    closingMessages: number;
    duplicates: number;
    quotaMismatches: number;
  };
}

interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

function percentiles(values: number[]): Percentiles {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : null;
  return { p50: at(50), p95: at(95), p99: at(99) };
}

export async function summarize(
  stack: Stack,
  plan: LoadPlan,
  records: RequestRecord[],
  samples: Sample[],
  wallMs: number,
): Promise<Summary> {
  const outcomes = { delivered: 0, refused: 0, failed: 0, lost: 0, rejected: 0 };
  for (const r of records) outcomes[r.outcome]++;
  const acknowledged = records.filter((r) => r.ackStatus === 200).length;
  const minutes = wallMs / 60_000;
  const peakMemoryMiB: Record<string, number> = {};
  for (const s of samples)
    for (const [k, v] of Object.entries(s.memoryMiB))
      peakMemoryMiB[k] = Math.max(peakMemoryMiB[k] ?? 0, Math.round(v));

  const db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  const statuses = await db.query<{ status: string; n: string }>(
    `SELECT status, count(*) AS n FROM "Generation" GROUP BY status`,
  );
  // Quotas exact: every requester's counted articles equal the drafts delivered to them.
  const mismatches = await db.query<{ n: string }>(`
    SELECT count(*) AS n FROM (
      SELECT g."requesterId", count(*) FILTER (WHERE g.status = 'DELIVERED') AS delivered, coalesce(max(u.articles), 0) AS counted
      FROM "Generation" g LEFT JOIN "DailyUsage" u ON u."requesterId" = g."requesterId"
      GROUP BY g."requesterId"
    ) x WHERE x.delivered <> x.counted`);
  await db.end();
  const generations = Object.fromEntries(statuses.rows.map((r) => [r.status, Number(r.n)]));
  const closingMessages =
    stack.line.delivered.filter((m) => m.message.text?.startsWith("✅")).length +
    stack.slack.calls.filter(
      (c) =>
        c.method === "chat.postMessage" &&
        c.status === 200 &&
        /^(Draft ready|Outline ready)/.test(String(c.args.text ?? "")),
    ).length;

  return {
    scenario: plan.name,
    description: plan.description,
    processes: `${stack.botUrls.length} bot + ${stack.processes.length - stack.botUrls.length} worker`,
    articleWords: plan.words,
    wallSeconds: Math.round(wallMs / 1000),
    requests: records.length,
    acknowledged,
    acceptedPerMinute: Math.round(acknowledged / minutes),
    deliveredPerMinute: Math.round(outcomes.delivered / minutes),
    ackMs: percentiles(records.flatMap((r) => (r.ackMs === null ? [] : [r.ackMs]))),
    firstMessageMs: percentiles(
      records.flatMap((r) => (r.firstMessageMs === null ? [] : [r.firstMessageMs])),
    ),
    firstMessageByPlatformMs: Object.fromEntries(
      (["line", "slack"] as const).map((p) => [
        p,
        percentiles(
          records.flatMap((r) => (r.platform === p && r.firstMessageMs !== null ? [r.firstMessageMs] : [])),
        ),
      ]),
    ),
    endToEndMs: percentiles(
      records.flatMap((r) => (r.outcome === "delivered" && r.endMs !== null ? [r.endMs] : [])),
    ),
    outcomes,
    // Quota refusals are answers, not errors; failures, losses and rejected deliveries are.
    errorRate: records.length ? (outcomes.failed + outcomes.lost + outcomes.rejected) / records.length : 0,
    peakUsers: Math.max(0, ...samples.map((s) => s.users)),
    peakQueueWaiting: Math.max(0, ...samples.map((s) => s.waiting)),
    peakMemoryMiB,
    check: {
      generations,
      closingMessages,
      duplicates: Math.max(0, closingMessages - (generations.DELIVERED ?? 0)),
      quotaMismatches: Number(mismatches.rows[0]?.n ?? 0),
    },
  };
}

const ms = (p: Percentiles) => `${p.p50 ?? "–"} / ${p.p95 ?? "–"} / ${p.p99 ?? "–"} ms`;

export function markdown(s: Summary, samples: Sample[]): string {
  const series = samples
    .filter((_, i) => i % 10 === 0)
    .map(
      (x) =>
        `| ${Math.round(x.t / 1000)} s | ${x.users} | ${x.waiting} | ${x.active} | ${Object.values(
          x.memoryMiB,
        )
          .map((v) => Math.round(v))
          .join(" / ")} |`,
    );
  return [
    `# Load run: ${s.scenario}`,
    "",
    s.description,
    "",
    `Processes: ${s.processes}; fake OpenAI at ~500 ms to first token then ~50 tokens/s; articles of ${s.articleWords} words; half the users in LINE (webhooks signed as LINE signs them), half in Slack (Events API app_mention, signed as Slack signs them).`,
    "",
    "| figure | value |",
    "|---|---|",
    `| wall time | ${s.wallSeconds} s |`,
    `| requests tried / acknowledged | ${s.requests} / ${s.acknowledged} |`,
    `| accepted per minute | ${s.acceptedPerMinute} |`,
    `| articles delivered per minute | ${s.deliveredPerMinute} |`,
    `| acknowledgement p50 / p95 / p99 | ${ms(s.ackMs)} |`,
    `| first draft text visible p50 / p95 / p99 | ${ms(s.firstMessageMs)} (LINE ${ms(s.firstMessageByPlatformMs.line!)}; Slack ${ms(s.firstMessageByPlatformMs.slack!)}) |`,
    `| end to end (draft complete) p50 / p95 / p99 | ${ms(s.endToEndMs)} |`,
    `| outcomes | ${Object.entries(s.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} |`,
    `| error rate | ${(s.errorRate * 100).toFixed(2)} % |`,
    `| peak users / peak queue waiting | ${s.peakUsers} / ${s.peakQueueWaiting} |`,
    `| peak memory (MiB) | ${Object.entries(s.peakMemoryMiB)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} |`,
    `| generations in the database | ${Object.entries(s.check.generations)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} |`,
    `| duplicates (closing messages beyond one per delivered draft) | ${s.check.duplicates} |`,
    `| requesters whose quota count differs from their deliveries | ${s.check.quotaMismatches} |`,
    "",
    "Over time (every 10 s): users, queue waiting, queue active, memory per process (MiB)",
    "",
    "| t | users | waiting | active | memory |",
    "|---|---|---|---|---|",
    ...series,
    "",
  ].join("\n");
}

export async function writeReport(s: Summary, samples: Sample[]): Promise<string> {
  const dir = path.resolve(import.meta.dirname, "../results");
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const base = path.join(dir, `${s.scenario}-${stamp}`);
  await writeFile(`${base}.json`, JSON.stringify({ summary: s, samples }, null, 2));
  await writeFile(`${base}.md`, markdown(s, samples));
  return base;
}
