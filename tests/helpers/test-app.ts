import type { AppContext } from "../../core/app.ts";
import { loadConfig } from "../../core/config.ts";
import { openDatabase } from "../../core/db/client.ts";
import { createLogger } from "../../core/logger.ts";
import { connectRedis } from "../../core/redis.ts";
import { seed } from "../../prisma/seed.ts";
import { createPostgresDatabase, REDIS_URL, type TestDatabase } from "./services.ts";

export interface TestApp {
  app: AppContext;
  database: TestDatabase;
  /** Disconnects Redis, closes the database and drops it. */
  close(): Promise<void>;
}

/**
 * The services a process opens, for a test: a fresh PostgreSQL database (migrated and seeded)
 * and the machine's Redis, configured through the real contract. `env` adds or overrides
 * variables (fakes' URLs and tokens, another REDIS_URL, a proxied DATABASE_URL) and may start
 * what they point at, since it runs once the database exists.
 */
export async function openTestApp(
  prefix: string,
  env: (database: TestDatabase) => Record<string, string> | Promise<Record<string, string>> = () => ({}),
): Promise<TestApp> {
  const database = await createPostgresDatabase(prefix);
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    PORT: "0",
    ADMIN_PORT: "0",
    ...(await env(database)),
  });
  const db = await openDatabase(config);
  await db.migrate();
  await seed(db, config);
  const redis = config.redis ? connectRedis(config.redis.url) : null;
  await redis?.connect();
  const app: AppContext = { config, logger: createLogger("silent"), db, redis };
  return {
    app,
    database,
    async close() {
      redis?.disconnect();
      await db.close();
      await database.drop();
    },
  };
}
