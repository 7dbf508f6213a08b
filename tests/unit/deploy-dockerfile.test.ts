import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.ts";

/**
 * deploy/Dockerfile cannot be built here (no Docker engine on these machines). What decides
 * whether its image runs can be checked without one: the stages and what each copies, and
 * that everything the processes load at run time is in the runtime stage: dist/ (the compiled
 * server and operator CLIs, built here as the build stage builds it), every file dist/ finds on
 * disk, only production dependencies, and the built console.
 */

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name: string;
  steps: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = "", rest = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = {
      op: op.toUpperCase(),
      args: rest.replace(/\$\{(\w+)\}/g, (_, n: string) => args.get(n) ?? ""),
    };
    if (instruction.op === "ARG" && !stages.length) {
      const [name, value = ""] = rest.split("=");
      args.set(name!, value);
    } else if (instruction.op === "FROM") {
      const [from = "", , name = ""] = instruction.args.split(/\s+/);
      stages.push({ from, name, steps: [] });
    } else stages.at(-1)?.steps.push(instruction);
  }
  return stages;
}

const dockerfile = readFileSync(path.join(ROOT, "deploy/Dockerfile"), "utf8");
const stages = parseDockerfile(dockerfile);
const stage = (name: string) => stages.find((s) => s.name === name) ?? expect.fail(`no stage "${name}"`);
const runtime = stages.at(-1)!;
const runs = (s: Stage) => s.steps.filter((i) => i.op === "RUN").map((i) => i.args);
const copies = (s: Stage) =>
  s.steps
    .filter((i) => i.op === "COPY")
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
      const paths = words.filter((w) => !w.startsWith("--"));
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};
const ignored = readFileSync(path.join(ROOT, "deploy/Dockerfile.dockerignore"), "utf8")
  .split(/\r?\n/)
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));

/**
 * The image runs dist/, built here the way the build stage builds it (ops/build-server.mjs, part
 * of `npm run build`): the server and the operator CLIs, with packages external.
 */
const built = spawnSync(process.execPath, [path.join(ROOT, "ops/build-server.mjs")], { encoding: "utf8" });
if (built.status !== 0) throw new Error(`ops/build-server.mjs failed:\n${built.stderr}`);
const DIST = path.join(ROOT, "dist");
const distFiles = readdirSync(DIST).filter((f) => f.endsWith(".js"));
const distText = (f: string) => readFileSync(path.join(DIST, f), "utf8");

/** Module specifiers a built file loads: static and dynamic imports, re-exports, import.meta.resolve. */
function specifiersOf(text: string): string[] {
  return [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']|\bimport(?:\.meta\.resolve)?\s*\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3]!);
}
const isPackage = (s: string) => !s.startsWith(".") && !s.startsWith("node:") && !builtinModules.includes(s);
const packageName = (s: string) =>
  s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!;

/**
 * Files the built code finds on disk. ops/build-server.mjs rewrites each module's
 * `import.meta.url` to its source file's URL, computed from the bundle's (`new URL("../core/db/
 * migrate.ts", import.meta.url).href`); what such a module reads is `new URL("<literal>",
 * import.meta.url)` in its source, so the image must hold the literal's target at that path.
 */
function filesReadFromDisk(): { module: string; target: string }[] {
  const modules = new Set(
    distFiles.flatMap((f) =>
      [...distText(f).matchAll(/new URL\("([^"]+)", import\.meta\.url\)\.href/g)].map((m) =>
        path.posix.normalize(path.posix.join("dist", m[1]!)),
      ),
    ),
  );
  const found: { module: string; target: string }[] = [];
  for (const module of modules) {
    let text = readFileSync(path.join(ROOT, module), "utf8");
    for (const m of text.matchAll(/new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g))
      found.push({
        module,
        target: path.posix.normalize(path.posix.join(path.posix.dirname(module), m[1]!)),
      });
    // Uses that read no file of ours: package resolution from the module's folder (which walks
    // up to /app/node_modules) and the generated Prisma client's __dirname (its query compiler
    // is WebAssembly inlined in @prisma/client, not a file beside it).
    text = text
      .replace(/new URL\(\s*["'][^"']+["']\s*,\s*import\.meta\.url\s*\)/g, "")
      .replace(/createRequire\(import\.meta\.url\)/g, "")
      .replace("globalThis['__dirname'] = path.dirname(fileURLToPath(import.meta.url))", "");
    if (text.includes("import.meta.url"))
      throw new Error(`${module}: a use of import.meta.url this test does not know`);
  }
  return found;
}

describe("deploy/Dockerfile", () => {
  it("builds on Node 24 in three stages: build, production dependencies, runtime", () => {
    expect(stages.map((s) => s.name)).toEqual(["build", "prod-deps", "runtime"]);
    for (const s of stages) expect(s.from, s.name).toMatch(/^node:24(\.\d+)*-bookworm-slim$/);
  });

  it("build stage installs everything (postinstall generates the Prisma client), builds the console and dist/", () => {
    const build = stage("build");
    expect(pkg.scripts.postinstall).toContain("prisma/generate.mjs");
    const order = build.steps.map((i) => `${i.op} ${i.args}`);
    const install = order.findIndex((s) => /^RUN npm ci(\s|$)/.test(s) && !s.includes("--omit=dev"));
    expect(install).toBeGreaterThan(-1);
    // postinstall needs the schema and its script before npm ci runs.
    expect(order.findIndex((s) => /^COPY prisma \.\/prisma$/.test(s))).toBeLessThan(install);
    expect(runs(build)).toContain("npm run build");
    expect(pkg.scripts.build).toContain("node ops/build-server.mjs");
    // A dist/ left in the build context never reaches the image: the build stage makes its own.
    expect(ignored).toContain("dist");
  });

  it("runtime gets production dependencies only, installed without the postinstall that needs the prisma CLI", () => {
    expect(runs(stage("prod-deps"))).toEqual([
      expect.stringMatching(/^npm ci --omit=dev --ignore-scripts\b/),
    ]);
    expect(pkg.devDependencies.prisma).toBeTruthy(); // why --ignore-scripts is needed
    const modules = copies(runtime).filter((c) => c.dest.includes("node_modules"));
    expect(modules).toEqual([{ from: "prod-deps", sources: ["/app/node_modules"], dest: "./node_modules" }]);
    expect(copies(runtime).filter((c) => c.from === "build")).toEqual(
      expect.arrayContaining([
        { from: "build", sources: ["/app/dist"], dest: "./dist" },
        { from: "build", sources: ["/app/build"], dest: "./build" },
      ]),
    );
  });

  it("runs dist/main.js as a non-root user with a health check on /healthz, never npm start or tsx", () => {
    const user = runtime.steps.filter((i) => i.op === "USER").at(-1)?.args;
    expect(user).toBeTruthy();
    expect(["root", "0"]).not.toContain(user);
    const health = runtime.steps.find((i) => i.op === "HEALTHCHECK")?.args ?? "";
    expect(health).toContain("/healthz");
    expect(health).toContain("process.exit(1)"); // an unreachable process is unhealthy
    const cmd = JSON.parse(runtime.steps.filter((i) => i.op === "CMD").at(-1)!.args) as string[];
    expect(cmd).toEqual(["node", "dist/main.js", "bot"]);
    expect(distFiles).toContain("main.js");
    // `npm start` runs prestart, which builds the console with dev dependencies and rewrites dist/.
    expect(pkg.scripts.prestart).toContain("build");
    expect(dockerfile).not.toMatch(/CMD.*npm/);
    expect(runtime.steps.filter((i) => /tsx|\.ts\b/.test(i.args))).toEqual([]);
  });

  it("runs every part with two malloc arenas, as npm start and npm run <part> do (decision 170)", () => {
    const env = runtime.steps.filter((i) => i.op === "ENV").map((i) => i.args);
    expect(env.join(" ")).toMatch(/\bMALLOC_ARENA_MAX=2\b/);
    for (const script of ["start", "bot", "worker", "admin"])
      expect(pkg.scripts[script], script).toMatch(
        /^MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-2\} node dist\/main\.js\b/,
      );
  });

  it("bundles the server's own code, the generated Prisma client included: dist/ loads no source file", () => {
    const relative = distFiles.flatMap((f) => specifiersOf(distText(f)).filter((s) => s.startsWith(".")));
    expect(relative.length).toBeGreaterThan(10); // the entries load their chunks
    expect(relative.filter((s) => !/^\.\/[\w-]+\.js$/.test(s) || !distFiles.includes(s.slice(2)))).toEqual(
      [],
    );
    // The client is bundled: the only trace of core/db/generated is its rewritten import.meta.url.
    expect(distFiles.some((f) => distText(f).includes("getPrismaClientClass"))).toBe(true);
    expect(
      copies(runtime)
        .flatMap((c) => [...c.sources, c.dest])
        .filter((s) => s.includes("generated")),
    ).toEqual([]);
  });

  it("copies every file dist/ finds on disk, and nothing in .dockerignore", () => {
    const read = filesReadFromDisk();
    // What there is today: the migrations every start applies, and the built console.
    expect(read.map((r) => r.target)).toEqual(expect.arrayContaining(["prisma/migrations", "build"]));
    const under = (f: string, dir: string) => f === dir || f.startsWith(`${dir}/`);
    const dests = copies(runtime).map((c) => ({ ...c, dest: path.posix.normalize(c.dest) }));
    expect(read.filter(({ target }) => !dests.some((c) => under(target, c.dest)))).toEqual([]);
    // Copied from the build context: it exists in the repository and is not filtered out.
    const fromContext = dests.filter((c) => !c.from).flatMap((c) => c.sources);
    for (const source of fromContext) {
      expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      expect(
        ignored.filter((pattern) => under(source, pattern)),
        source,
      ).toEqual([]);
    }
    expect(fromContext).toEqual(expect.arrayContaining(["package.json", "prisma/migrations", "data"]));
    // No sources: the image runs dist/ only.
    const sources = ["core", "bot", "admin", "ops", "prisma", "main.ts", "tsconfig.json"];
    expect(fromContext.filter((s) => /\.tsx?$/.test(s) || sources.includes(s))).toEqual([]);
  });

  it("imports only production dependencies at run time, and tsx is not one", () => {
    const packages = new Map<string, string>(); // package -> first dist/ file importing it
    for (const f of distFiles)
      for (const s of specifiersOf(distText(f)).filter(isPackage))
        if (!packages.has(packageName(s))) packages.set(packageName(s), f);
    expect(packages.size).toBeGreaterThan(10);
    const dev = [...packages]
      .filter(([name]) => !(name in pkg.dependencies))
      .map(([name, from]) => `${name} (imported by dist/${from})`);
    expect(dev).toEqual([]);
    expect(pkg.dependencies.tsx).toBeUndefined(); // decision 160: nothing in production runs TypeScript
  });

  it("builds every CLI the README tells operators to run in a container", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const commands = [...readme.matchAll(/docker compose exec(?: -T)? \w+ (node [^\n`]+)/g)].map(
      (m) => m[1]!,
    );
    expect(commands.length).toBeGreaterThan(1);
    for (const command of commands) {
      const entry = /^node dist\/([\w-]+\.js)\b/.exec(command)?.[1];
      expect(entry, command).toBeTruthy();
      expect(distFiles, command).toContain(entry);
    }
  });

  it("the built console's server bundle imports only production dependencies", () => {
    const bundle = path.join(ROOT, "build/server/index.js");
    if (!existsSync(bundle))
      throw new Error("build/server/index.js is missing: run `npm run build` (npm test does it first)");
    const specs = specifiersOf(readFileSync(bundle, "utf8")).filter(isPackage);
    expect(specs.length).toBeGreaterThan(3);
    const names = new Set(specs.map(packageName));
    expect([...names].filter((n) => !(n in pkg.dependencies))).toEqual([]);
  });

  it("keeps secrets, local state and installed dependencies out of the build context", () => {
    for (const entry of [".env", "node_modules", ".git", ".data", "core/db/generated", "build", "dist"])
      expect(ignored, entry).toContain(entry);
  });
});
