/** The guide's spike: 500 users ask at the same moment, once each. */
import { runPlan } from "../harness/run-plan.ts";

export async function run(): Promise<void> {
  await runPlan(
    {
      name: "spike",
      description:
        "500 virtual users (half LINE, half Slack) each ask for one 300-word article at the same moment.",
      users: () => 500,
      durationMs: 200,
      requestsPerUser: 1,
      thinkMs: [0, 0],
      words: 300,
      timeoutMs: 180_000,
    },
    { bots: 1, workers: 1 },
  );
}
