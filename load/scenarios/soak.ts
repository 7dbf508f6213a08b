/** The guide's soak: baseline load held for ten minutes, watching memory and queue depth. */
import { runPlan } from "../harness/run-plan.ts";

export async function run(): Promise<void> {
  await runPlan(
    {
      name: "soak",
      description:
        "100 virtual users (half LINE, half Slack) asking steadily for 10 minutes (300-word articles, 2-5 s think time; each user leaves after 8 requests, within the Free tier's 10 a day, and a new one arrives).",
      users: () => 100,
      durationMs: 600_000,
      requestsPerUser: 8,
      thinkMs: [2_000, 5_000],
      words: 300,
    },
    { bots: 1, workers: 1 },
  );
}
