/**
 * Compiles the server (main.ts and everything it imports from this repository) into dist/, so
 * `npm start` and `npm run bot|worker|admin` run plain JavaScript: the TypeScript loader (tsx)
 * costs ~35 MiB resident plus an inline source map per module for as long as the process runs
 * (decision 145). Packages stay external (resolved from node_modules at run time); each lazily
 * imported part (the console's server, Slack, LINE) stays a chunk of its own, loaded only when used.
 * Takes about half a second, so it runs on every start rather than keeping a staleness stamp.
 * Several parts may start at once (`npm run bot` and `npm run worker` side by side), so dist/ is
 * never emptied under a running process: a file is replaced (atomically, by rename) only when its
 * contents changed, and files the new build no longer has are removed.
 * Plain JavaScript, so it starts without the TypeScript loader.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const outdir = path.join(root, "dist");

/**
 * A module that finds files next to itself (`new URL("../../prisma/migrations", import.meta.url)`)
 * must keep finding them from inside the bundle: its `import.meta.url` becomes its source file's
 * URL, computed from the bundle's own.
 */
const sourceImportMetaUrl = {
  name: "source-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      if (!text.includes("import.meta.url")) return { contents: text, loader: "ts" };
      const fromOut = path.relative(outdir, args.path).split(path.sep).join("/");
      const url = `new URL(${JSON.stringify(fromOut)}, import.meta.url).href`;
      return { contents: text.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

/**
 * The server and the operator CLIs, so a production install (the Docker image) runs everything
 * from dist/ with neither the sources nor a TypeScript loader (decision 160). Flat names: every
 * output file sits directly in dist/, where the rewritten `import.meta.url`s above are computed from.
 */
const ENTRY_POINTS = {
  main: "main.ts", // npm start, npm run bot|worker|admin
  db: "prisma/cli.ts", // npm run db:migrate, npm run db:seed
  ingest: "core/retrieval/cli.ts", // npm run ingest -- <folder>
  "console-user": "core/admin/cli.ts", // npm run console:user -- add|disable|reset-password
  "line-richmenu": "bot/line/richmenu/cli.ts", // npm run line:richmenu
  // The first start's child process (decision 163): core/db/client.ts finds it beside itself
  // (import.meta.dirname), at dist/'s root like every output file.
  "first-start": "core/db/first-start.ts",
};

const result = await build({
  entryPoints: Object.fromEntries(
    Object.entries(ENTRY_POINTS).map(([name, source]) => [name, path.join(root, source)]),
  ),
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  packages: "external",
  // Stack traces name dist/ lines; the map is on disk for `node --enable-source-maps` when needed.
  sourcemap: "linked",
  plugins: [sourceImportMetaUrl],
  logLevel: "warning",
  write: false,
});

await mkdir(outdir, { recursive: true });
const written = new Set();
for (const file of result.outputFiles) {
  written.add(file.path);
  const before = await readFile(file.path).catch(() => null);
  if (before && Buffer.compare(before, file.contents) === 0) continue;
  const temporary = `${file.path}.${process.pid}.tmp`;
  await mkdir(path.dirname(file.path), { recursive: true });
  await writeFile(temporary, file.contents);
  await rename(temporary, file.path);
}
for (const entry of await readdir(outdir, { recursive: true, withFileTypes: true })) {
  const full = path.join(entry.parentPath ?? entry.path, entry.name);
  if (entry.isFile() && !written.has(full) && !full.endsWith(".tmp")) await rm(full, { force: true });
}
