/**
 * Scale-out: the baseline's totals across two bot and two worker processes on one PostgreSQL
 * and Redis, plus greedy users firing more requests than their tier allows at both bots at
 * once, to show quotas stay exact across processes.
 */
import pg from "pg";
import { lineId } from "../../tests/fakes/line.ts";
import { runPlan } from "../harness/run-plan.ts";

const GREEDY = 20;
const EACH = 14; // Free tier: 10 a day; the burst limit (10 a minute) and the daily limit both bite

export async function run(): Promise<void> {
  await runPlan(
    {
      name: "scale-out",
      description:
        "Baseline totals (100 users, 90 s, 300-word articles) on 2 bot + 2 worker processes, plus 20 greedy users sending 14 requests each at once, split across both bots.",
      users: () => 100,
      durationMs: 90_000,
      requestsPerUser: 8,
      thinkMs: [2_000, 5_000],
      words: 300,
    },
    { bots: 2, workers: 2 },
    async (stack) => {
      const users = Array.from({ length: GREEDY }, () => lineId("U"));
      await Promise.all(
        users.flatMap((userId) =>
          Array.from({ length: EACH }, (_, i) =>
            stack.line.deliver(`${stack.botUrls[i % 2]}/line/webhook`, [
              stack.line.events.text({
                userId,
                text: `write about quota exactness ${i} in banking, 150 words`,
              }),
            ]),
          ),
        ),
      );
      const db = new pg.Client({ connectionString: stack.database.url });
      await db.connect();
      // Acknowledged at once; wait until both bots accepted and the workers wrote every draft.
      for (let waited = 0; waited < 180_000; waited += 1_000) {
        await new Promise((r) => setTimeout(r, 1_000));
        const pending = await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM "Generation" WHERE status IN ('QUEUED', 'RUNNING')`,
        );
        if (waited >= 5_000 && Number(pending.rows[0]!.n) === 0) break;
      }
      const rows = await db.query<{ n: string }>(
        `SELECT count(g.id) AS n FROM "Requester" r LEFT JOIN "Generation" g ON g."requesterId" = r.id WHERE r."externalId" = ANY($1) GROUP BY r.id`,
        [users],
      );
      await db.end();
      const accepted = rows.rows.map((r) => Number(r.n));
      const exact = accepted.length === GREEDY && accepted.every((n) => n === 10);
      return [
        "",
        `Greedy users: ${GREEDY} users × ${EACH} simultaneous requests across 2 bot processes; accepted per user: ${[...new Set(accepted)].join(", ")} (limit 10) — quotas ${exact ? "exact" : "NOT exact"}.`,
      ];
    },
  );
}
