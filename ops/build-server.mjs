/**
 * Compiles the server (main.ts and everything it imports from this repository) into dist/, so
 * `npm start` and `npm run bot|worker|admin` run plain JavaScript: the TypeScript loader (tsx)
 * costs ~35 MiB resident plus an inline source map per module for as long as the process runs
 * (decision 145). Packages stay external (resolved from node_modules at run time); each lazily
 * imported part (the console's server, Slack, LINE) stays a chunk of its own, loaded only when used.
 * Takes about half a second, so it runs on every start rather than keeping a staleness stamp.
 * Plain JavaScript, so it starts without the TypeScript loader.
 */
import { readFile, rm } from "node:fs/promises";
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

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, "main.ts")],
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
});
