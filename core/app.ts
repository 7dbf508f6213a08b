import type { Config } from "./config.ts";
import { type Database, type OpenOptions, openDatabase } from "./db/client.ts";
import { createLogger, type Logger } from "./logger.ts";
import { connectRedis, type Redis } from "./redis.ts";

/**
 * The services every process shares, opened once from the configuration and handed down
 * (to the bot server, the worker and the console's loaders) instead of module-level singletons.
 */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Database;
  redis: Redis | null;
}

export async function openAppContext(
  config: Config,
  logger = createLogger(config.logLevel),
  databaseOptions: OpenOptions = {},
): Promise<AppContext> {
  const db = await openDatabase(config, databaseOptions);
  let redis: Redis | null = null;
  try {
    if (config.redis) {
      redis = connectRedis(config.redis.url);
      await redis.connect();
    }
  } catch (error) {
    await db.close();
    redis?.disconnect();
    throw new Error(`Cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
  }
  return { config, logger, db, redis };
}

export async function closeAppContext(ctx: AppContext): Promise<void> {
  ctx.redis?.disconnect();
  await ctx.db.close();
}
