import { existsSync } from "node:fs";
import path from "node:path";
import { startAdmin } from "../../admin/server.ts";
import { hashPassword } from "../../core/admin/password.ts";
import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import type { AdminRole } from "../../core/db/client.ts";
import { type Database, openDatabase } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { seed } from "../../prisma/seed.ts";
import { createPostgresDatabase, type TestDatabase } from "./services.ts";

export const SERVER_BUILD = path.resolve(import.meta.dirname, "../../build/server/index.js");

export interface TestConsole {
  target: TestDatabase;
  db: Database;
  pipeline: Pipeline;
  url: string;
  close(): Promise<void>;
}

/**
 * The console over real HTTP, from its built output, against a fresh PostgreSQL database with
 * one signed-up admin: what the console's integration tests share.
 */
export async function openTestConsole(opts: {
  prefix: string;
  user: { email: string; password: string; name: string; role: AdminRole };
  seeded?: boolean;
}): Promise<TestConsole> {
  if (!existsSync(SERVER_BUILD))
    throw new Error(
      `Console not built: ${SERVER_BUILD} is missing. Run \`npm run build\` (npm test does) first.`,
    );
  const target = await createPostgresDatabase(opts.prefix);
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: target.url,
    PORT: "0",
    ADMIN_PORT: "0",
  });
  const db = await openDatabase(config);
  await db.migrate();
  if (opts.seeded) await seed(db, config);
  const { email, name, role, password } = opts.user;
  await db.prisma.adminUser.create({
    data: { email, name, role, passwordHash: await hashPassword(password) },
  });
  const app: AppContext = { config, logger: createLogger("silent"), db, redis: null };
  const pipeline = createPipeline(app);
  const server = await startAdmin(app, { host: "127.0.0.1", port: 0, pipeline });
  return {
    target,
    db,
    pipeline,
    url: server.url,
    close: async () => {
      await server.close();
      await pipeline.close();
      await db.close();
      await target.drop();
    },
  };
}
