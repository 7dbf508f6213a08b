/** The guide's stress run: users ramp from 0 to 1,000 over two minutes, then hold for 30 s. */
import { runPlan } from "../harness/run-plan.ts";

export async function run(): Promise<void> {
  await runPlan(
    {
      name: "stress",
      description:
        "Virtual users (half LINE, half Slack) ramp from 0 to 1,000 over 120 s and hold for 30 s; each asks for a 300-word article, waits, thinks 2-5 s.",
      users: (t) => Math.min(1_000, Math.round((t / 120_000) * 1_000)),
      durationMs: 150_000,
      requestsPerUser: 8,
      thinkMs: [2_000, 5_000],
      words: 300,
      timeoutMs: 180_000,
    },
    { bots: 1, workers: 1 },
  );
}
