// Runs `prisma generate`. Generating the client needs no schema engine, but Prisma 7's CLI
// still tries to download one first; where its server is unreachable (these machines, some
// CI networks) pointing PRISMA_SCHEMA_ENGINE_BINARY at any file skips that download.
// Contributors with network access can run `npx prisma generate` directly.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const result = spawnSync("npx", ["--no-install", "prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
