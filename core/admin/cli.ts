/**
 * Console accounts from the command line:
 *   npm run console:user -- add <email> <admin|viewer> [name]   (password from
 *     CONSOLE_PASSWORD, or generated and printed once)
 *   npm run console:user -- disable <email>
 *   npm run console:user -- reset-password <email>   (CONSOLE_PASSWORD, or generated
 *     and printed once; every session of the account ends)
 * Uses the same configuration as the product (DATABASE_URL, or the embedded database under
 * DATA_DIR while the product is stopped: the embedded database belongs to one process).
 */
import { ConfigError, loadConfig } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { addAdminUser, disableAdminUser, resetAdminPassword } from "./users.ts";

const [command, email, role, ...name] = process.argv.slice(2);
const usage =
  "usage: core/admin/cli.ts add <email> <admin|viewer> [name] | disable <email> | reset-password <email>";
const valid =
  command === "add"
    ? role === "admin" || role === "viewer"
    : command === "disable" || command === "reset-password";
if (!email || !valid) {
  console.error(usage);
  process.exit(2);
}
try {
  const db = await openDatabase(loadConfig());
  try {
    await db.migrate();
    if (command === "add") {
      const added = await addAdminUser(db, {
        email,
        role: role === "admin" ? "ADMIN" : "VIEWER",
        name: name.join(" "),
        password: process.env.CONSOLE_PASSWORD || undefined,
      });
      console.log(
        `Added ${added.email} (${added.role.toLowerCase()})${added.generatedPassword ? `, password: ${added.generatedPassword} (shown once)` : ""}.`,
      );
    } else if (command === "reset-password") {
      const reset = await resetAdminPassword(db, email, process.env.CONSOLE_PASSWORD || undefined);
      console.log(
        `New password for ${reset.email}${reset.generatedPassword ? `: ${reset.generatedPassword} (shown once)` : " set"}; their sessions have ended.`,
      );
    } else {
      await disableAdminUser(db, email);
      console.log(`Disabled ${email}; their sessions have ended.`);
    }
  } finally {
    await db.close();
  }
} catch (error) {
  console.error(
    error instanceof ConfigError
      ? error.problems.map((p) => `Configuration error: ${p}`).join("\n")
      : `Failed: ${(error as Error).message}`,
  );
  process.exit(1);
}
