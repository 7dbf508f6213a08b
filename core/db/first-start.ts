/**
 * Child process entry (decision 163): on a first start, create the embedded database (initdb),
 * apply the migrations and seed it, post back what migrate and seed reported, and end, so the
 * memory all of that grew (PGlite's WebAssembly heap, V8's, malloc's) goes with the process. Forked by
 * core/db/client.ts with the data directory already locked by the process. An error here is
 * sent back as its message, and main.ts prints it as a start-up failure.
 */
import { PGlite } from "@electric-sql/pglite";
import { z } from "zod";
import { seed } from "../../prisma/seed.ts";
import { EMBEDDED_SETTINGS, embeddedDatabase, type Prepared } from "./client.ts";

const inputSchema = z.object({
  dir: z.string(),
  admin: z.object({ port: z.number(), email: z.string().optional(), password: z.string().optional() }),
});

async function prepare(input: z.infer<typeof inputSchema>): Promise<Prepared> {
  const lite = new PGlite(input.dir, { startParams: [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS] });
  await lite.waitReady;
  const db = embeddedDatabase(lite);
  try {
    const migration = await db.migrate();
    return {
      migration,
      seed: await seed(db, { admin: input.admin, database: { kind: "pglite", dir: input.dir } }),
    };
  } finally {
    await db.close();
  }
}

const reply = (message: unknown, code: number) => process.send?.(message, () => process.exit(code));

// The parent holds the directory's lock; once it is gone (killed), another process may take it.
process.once("disconnect", () => process.exit(1));
process.once("message", (message) => {
  prepare(inputSchema.parse(message)).then(
    (report) => reply(report, 0),
    (error: Error) => reply({ error: error.message }, 1),
  );
});
