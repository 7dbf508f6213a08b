/** `npm run db:migrate` and `npm run db:seed`: the same steps every start runs, on their own. */
import { closeAppContext, openAppContext } from "../core/app.ts";
import { ConfigError, loadConfig } from "../core/config.ts";
import { createLogger } from "../core/logger.ts";
import { seed } from "./seed.ts";

const command = process.argv[2];
if (command !== "migrate" && command !== "seed") {
  console.error("usage: prisma/cli.ts migrate|seed");
  process.exit(2);
}
try {
  const config = loadConfig();
  const app = await openAppContext(config, createLogger("warn"));
  try {
    const migration = await app.db.migrate();
    console.log(
      migration.applied.length
        ? `Applied: ${migration.applied.join(", ")}`
        : "Database schema is up to date.",
    );
    if (command === "seed") {
      const report = await seed(app.db, config);
      console.log(
        `Tiers created: ${report.tiersCreated.join(", ") || "none"}; prices created: ${report.pricesCreated.join(", ") || "none"}`,
      );
      if (report.adminCreated)
        console.log(
          `Admin created: ${report.adminCreated.email}${report.adminCreated.generatedPassword ? ` / ${report.adminCreated.generatedPassword} (shown once)` : ""}`,
        );
      if (report.adminMissing) console.log(report.adminMissing);
    }
  } finally {
    await closeAppContext(app);
  }
} catch (error) {
  console.error(
    error instanceof ConfigError
      ? error.problems.map((p) => `Configuration error: ${p}`).join("\n")
      : `Failed: ${(error as Error).message}`,
  );
  process.exit(1);
}
