import { drive, type LoadPlan } from "./driver.ts";
import { markdown, type Summary, summarize, writeReport } from "./report.ts";
import { type Stack, type StackOptions, startStack } from "./stack.ts";

/** Starts the stack, drives the plan, checks the database, writes JSON + Markdown, stops. */
export async function runPlan(
  plan: LoadPlan,
  stackOpts: StackOptions,
  after?: (stack: Stack) => Promise<string[]>,
): Promise<Summary> {
  console.log(
    `${plan.name}: starting ${stackOpts.bots} bot and ${stackOpts.workers} worker processes on PostgreSQL and Redis...`,
  );
  const stack = await startStack(stackOpts);
  try {
    console.log(`${plan.name}: ${plan.description}`);
    const progress = setInterval(
      () => console.log(`  … ${stack.line.delivered.length} LINE messages delivered so far`),
      15_000,
    );
    const { records, samples, wallMs } = await drive(stack, plan);
    clearInterval(progress);
    const extra = after ? await after(stack) : [];
    const summary = await summarize(stack, plan, records, samples, wallMs);
    const base = await writeReport(summary, samples);
    console.log(`\n${markdown(summary, samples)}${extra.join("\n")}`);
    console.log(`\nwritten: ${base}.json and .md`);
    return summary;
  } finally {
    await stack.stop();
  }
}
