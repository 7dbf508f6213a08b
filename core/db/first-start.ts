/**
 * Worker thread entry (decision 163): on a first start, create the embedded database (initdb),
 * apply the migrations and seed it, post back what migrate and seed reported, and end, so the
 * memory all of that grew (PGlite's WebAssembly heap, V8's) goes with the thread. Started by
 * core/db/client.ts with the data directory already locked by the process. An error thrown here
 * reaches the starting thread as it is, and main.ts prints its message as a start-up failure.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { z } from "zod";
import { seed } from "../../prisma/seed.ts";
import { EMBEDDED_SETTINGS, embeddedDatabase, type Prepared } from "./client.ts";

const input = z
  .object({
    dir: z.string(),
    admin: z.object({ port: z.number(), email: z.string().optional(), password: z.string().optional() }),
  })
  .parse(workerData);

const lite = new PGlite(input.dir, { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
await lite.waitReady;
const db = embeddedDatabase(lite);
try {
  const migration = await db.migrate();
  const report: Prepared = {
    migration,
    seed: await seed(db, { admin: input.admin, database: { kind: "pglite", dir: input.dir } }),
  };
  parentPort?.postMessage(report);
} finally {
  await db.close();
}
