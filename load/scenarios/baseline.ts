/** The guide's baseline: 100 users asking for articles steadily for 90 s. */
import { runPlan } from "../harness/run-plan.ts";

export async function run(): Promise<void> {
  await runPlan(
    {
      name: "baseline",
      description:
        "100 virtual users (half LINE, half Slack), each asking for a 300-word article, waiting for it, thinking 2-5 s, for 90 s; each user leaves after 8 requests and a new one arrives.",
      users: () => 100,
      durationMs: 90_000,
      requestsPerUser: 8,
      thinkMs: [2_000, 5_000],
      words: 300,
    },
    { bots: 1, workers: 1 },
  );
}
