/** The guide's soak: baseline load held for ten minutes, watching memory and queue depth. */
import { runPlan } from "../harness/run-plan.ts";

export async function run(): Promise<void> {
  await runPlan(
    { name: "soak", description: "100 virtual users (half LINE, half Slack) asking steadily for 10 minutes (300-word articles, 2-5 s think time).", users: () => 100, durationMs: 600_000, requestsPerUser: 100_000, thinkMs: [2_000, 5_000], words: 300 },
    { bots: 1, workers: 1 },
  );
}
