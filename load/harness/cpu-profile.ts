/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by function and by file, the
 * heaviest first. `node --import tsx load/harness/cpu-profile.ts <file.cpuprofile> [rows]`.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: cpu-profile.ts <file.cpuprofile> [rows]");
  process.exit(2);
}
const rows = Number(rowsArg ?? 30);
const p = profileSchema.parse(JSON.parse(await readFile(file, "utf8")));
const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  const f = byId.get(id);
  if (!f) return;
  total += dt;
  const where = f.url.replace(/^file:\/\//, "").replace(/.*node_modules\//, "~/");
  const fn = `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + dt);
  const pkg = where.startsWith("~/")
    ? where
        .split("/")
        .slice(0, where.startsWith("~/@") ? 3 : 2)
        .join("/")
    : where || f.functionName;
  byFile.set(pkg, (byFile.get(pkg) ?? 0) + dt);
});
const show = (m: Map<string, number>) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)
    .map(
      ([k, us]) =>
        `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1e6).toFixed(1).padStart(7)} s  ${k}`,
    )
    .join("\n");
console.log(
  `total ${(total / 1e6).toFixed(1)} s sampled\n\nby package or file:\n${show(byFile)}\n\nby function:\n${show(byFn)}`,
);
