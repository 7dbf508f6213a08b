/** `npm run load -- <scenario>`: runs one benchmark scenario from load/scenarios and prints its figures. */
import { readdir } from "node:fs/promises";

const scenario = process.argv[2];
const available = (await readdir(new URL("./scenarios", import.meta.url)))
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
if (!scenario || !available.includes(scenario)) {
  console.error(`usage: npm run load -- <scenario>   (scenarios: ${available.join(", ")})`);
  process.exit(2);
}
const { run } = (await import(`./scenarios/${scenario}.ts`)) as { run: () => Promise<void> };
await run();
