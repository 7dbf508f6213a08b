import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.ts";

/**
 * deploy/Dockerfile cannot be built here (no Docker engine on these machines). What decides
 * whether its image runs can be checked without one: the stages and what each copies, and
 * that everything the processes load at run time is in the runtime stage: every source file
 * reachable from the entry points, only production dependencies, the generated Prisma client
 * and the built console.
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

/** Local files and packages that `node --import tsx <entry>` loads, following static and literal dynamic imports. */
function runtimeGraph(entries: string[]): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>(); // package -> first file importing it
  const queue = entries.map((e) => path.join(ROOT, e));
  while (queue.length) {
    const file = queue.pop()!;
    const rel = path.relative(ROOT, file);
    if (files.has(rel)) continue;
    files.add(rel);
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const specifiers: string[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const clause = node.importClause;
        const typeOnly =
          clause?.isTypeOnly ||
          (clause &&
            !clause.name &&
            clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly));
        if (!typeOnly) specifiers.push(node.moduleSpecifier.text);
      } else if (
        ts.isExportDeclaration(node) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        if (!node.isTypeOnly) specifiers.push(node.moduleSpecifier.text);
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        if (arg && ts.isStringLiteral(arg)) specifiers.push(arg.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    for (const spec of specifiers) {
      if (spec.startsWith(".")) {
        const base = path.resolve(path.dirname(file), spec);
        const found = [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")].find(
          (c) => existsSync(c) && !c.endsWith("/"),
        );
        if (!found) throw new Error(`${rel}: cannot resolve "${spec}"`);
        if (/\.(ts|tsx|js|mjs)$/.test(found)) queue.push(found);
      } else if (!spec.startsWith("node:") && !builtinModules.includes(spec)) {
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!packages.has(name)) packages.set(name, rel);
      }
    }
  }
  return { files, packages };
}

/** What the processes in the container run: the parts, and the CLIs an operator runs in it. */
const ENTRIES = ["main.ts", "admin/server.ts", "prisma/cli.ts", "core/retrieval/cli.ts"];

describe("deploy/Dockerfile", () => {
  it("builds on Node 24 in three stages: build, production dependencies, runtime", () => {
    expect(stages.map((s) => s.name)).toEqual(["build", "prod-deps", "runtime"]);
    for (const s of stages) expect(s.from, s.name).toMatch(/^node:24(\.\d+)*-bookworm-slim$/);
  });

  it("build stage installs everything (postinstall generates the Prisma client) and builds the console", () => {
    const build = stage("build");
    expect(pkg.scripts.postinstall).toContain("prisma/generate.mjs");
    const order = build.steps.map((i) => `${i.op} ${i.args}`);
    const install = order.findIndex((s) => /^RUN npm ci(\s|$)/.test(s) && !s.includes("--omit=dev"));
    expect(install).toBeGreaterThan(-1);
    // postinstall needs the schema and its script before npm ci runs.
    expect(order.findIndex((s) => /^COPY prisma \.\/prisma$/.test(s))).toBeLessThan(install);
    expect(runs(build)).toContain("npm run build");
  });

  it("runtime gets production dependencies only, installed without the postinstall that needs the prisma CLI", () => {
    expect(runs(stage("prod-deps"))).toEqual([
      expect.stringMatching(/^npm ci --omit=dev --ignore-scripts\b/),
    ]);
    expect(pkg.devDependencies.prisma).toBeTruthy(); // why --ignore-scripts is needed
    const modules = copies(runtime).filter((c) => c.dest.includes("node_modules"));
    expect(modules).toEqual([{ from: "prod-deps", sources: ["/app/node_modules"], dest: "./node_modules" }]);
    expect(copies(runtime)).toEqual(
      expect.arrayContaining([
        { from: "build", sources: ["/app/core/db/generated"], dest: "./core/db/generated" },
        { from: "build", sources: ["/app/build"], dest: "./build" },
      ]),
    );
  });

  it("runs as a non-root user with a health check on /healthz, and never through npm start", () => {
    const user = runtime.steps.filter((i) => i.op === "USER").at(-1)?.args;
    expect(user).toBeTruthy();
    expect(["root", "0"]).not.toContain(user);
    const health = runtime.steps.find((i) => i.op === "HEALTHCHECK")?.args ?? "";
    expect(health).toContain("/healthz");
    expect(health).toContain("process.exit(1)"); // an unreachable process is unhealthy
    const cmd = JSON.parse(runtime.steps.filter((i) => i.op === "CMD").at(-1)!.args) as string[];
    expect(cmd).toEqual(["node", "--import", "tsx", "main.ts", "bot"]);
    // `npm start` runs prestart, which builds the console with dev dependencies.
    expect(pkg.scripts.prestart).toContain("build");
    expect(dockerfile).not.toMatch(/CMD.*npm/);
  });

  it("copies every source file the processes load, and nothing in .dockerignore", () => {
    const { files } = runtimeGraph(ENTRIES);
    expect(files.size).toBeGreaterThan(50);
    const under = (f: string, dir: string) => f === dir || f.startsWith(`${dir}/`);
    const copied = copies(runtime)
      .filter((c) => !c.from)
      .flatMap((c) => c.sources);
    // Made in the build stage (the generated Prisma client), not taken from the build context.
    const built = copies(runtime)
      .filter((c) => c.from === "build")
      .map((c) => path.posix.normalize(c.dest));
    const fromContext = [...files].filter((f) => !built.some((dir) => under(f, dir)));
    expect(fromContext.filter((f) => !copied.some((src) => under(f, src)))).toEqual([]);
    expect(fromContext.filter((f) => ignored.some((pattern) => under(f, pattern)))).toEqual([]);
    expect([...files].some((f) => under(f, "core/db/generated"))).toBe(true);
    // The migrations the processes apply at start are plain SQL files beside the schema.
    expect(copied).toContain("prisma");
  });

  it("imports only production dependencies at run time", () => {
    const { packages } = runtimeGraph(ENTRIES);
    const dev = [...packages]
      .filter(([name]) => !(name in pkg.dependencies))
      .map(([name, from]) => `${name} (imported by ${from})`);
    expect(dev).toEqual([]);
    expect(pkg.dependencies.tsx).toBeTruthy(); // the image runs main.ts through tsx
  });

  it("the built console's server bundle imports only production dependencies", () => {
    const bundle = path.join(ROOT, "build/server/index.js");
    if (!existsSync(bundle))
      throw new Error("build/server/index.js is missing: run `npm run build` (npm test does it first)");
    const specs = [
      ...readFileSync(bundle, "utf8").matchAll(
        /(?:^|\n)\s*(?:import|export)\b[^;'"]*?\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g,
      ),
    ]
      .map((m) => m[1] ?? m[2] ?? m[3]!)
      .filter((s) => !s.startsWith(".") && !s.startsWith("node:") && !builtinModules.includes(s));
    expect(specs.length).toBeGreaterThan(3);
    const names = new Set(
      specs.map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!)),
    );
    expect([...names].filter((n) => !(n in pkg.dependencies))).toEqual([]);
  });

  it("keeps secrets, local state and installed dependencies out of the build context", () => {
    for (const entry of [".env", "node_modules", ".git", ".data", "core/db/generated", "build"])
      expect(ignored, entry).toContain(entry);
  });
});
