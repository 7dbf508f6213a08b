/**
 * `npm start`'s prestart: builds the console only when what goes into its build changed since
 * the last build (its sources, the core it bundles, the lockfile, the build configuration), so
 * a restart does not spend half a minute rebuilding the same files. Plain JavaScript, so it
 * starts without the TypeScript loader. `npm run build` (`--always`) builds whatever the stamp says.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const build = path.join(root, "build");
const stamp = path.join(build, ".sources.sha256");
/** Everything the console's build reads: its app, the core and generated client it bundles, its configuration. */
const INPUTS = [
  "admin/app",
  "core",
  "prisma/schema.prisma",
  "package-lock.json",
  "react-router.config.ts",
  "vite.config.ts",
  "tsconfig.json",
];

function files(relative) {
  const full = path.join(root, relative);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => files(path.join(relative, entry.name)));
}

function sourcesHash() {
  const hash = createHash("sha256");
  for (const file of INPUTS.flatMap(files)) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
  }
  return hash.digest("hex");
}

const current = sourcesHash();
const built = existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : null;
const always = process.argv.includes("--always");
if (!always && built === current && existsSync(path.join(build, "server", "index.js"))) process.exit(0);

if (!always)
  console.log(
    built ? "Console sources changed: rebuilding the console…" : "Building the console (first start)…",
  );
const result = spawnSync(
  process.execPath,
  [path.join(root, "node_modules", "@react-router", "dev", "bin.js"), "build"],
  {
    cwd: root,
    stdio: ["ignore", always ? "inherit" : "ignore", "inherit"],
  },
);
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stamp, `${current}\n`);
