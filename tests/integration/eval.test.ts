import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PROMPT_VERSION } from "../../core/generate/prompt.ts";
import { ROOT } from "../helpers/process.ts";

/** `npm run eval` end to end on the embedded profile (no key: the offline composer writes). */

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function npm(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["--prefix", ROOT, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

const resultSchema = z.object({
  id: z.string(),
  arm: z.string(),
  promptVersion: z.string().nullable(),
  status: z.string(),
  words: z.number(),
  score: z.number(),
  checks: z.array(z.object({ name: z.string(), passed: z.boolean() })).length(7),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  timeMs: z.number(),
});

describe("npm run eval", () => {
  it("runs the first three requests through the pipeline and writes their results", {
    timeout: 240_000,
  }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ab-eval-test-"));
    dirs.push(dir);
    const { code, out } = await npm(["run", "eval", "--", "--limit", "3", "--json", "out.json"], dir);
    expect(code, out).toBe(0);
    const saved = JSON.parse(await readFile(path.join(dir, "out.json"), "utf8"));
    const results = z.array(resultSchema).parse(saved.results);
    expect(results.map((r) => r.id)).toEqual(["en-retail-ai", "en-banking-embedded", "en-health-virtual"]);
    for (const r of results) {
      expect(r.status).toBe("DELIVERED");
      expect(r.arm).toBe("offline-composer");
      expect(r.promptVersion).toBe(PROMPT_VERSION);
      expect(r.words).toBeGreaterThan(100);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(100);
    }
    expect(saved.summaries).toHaveLength(1);
    expect(saved.summaries[0].delivered).toBe(3);
    // The printed table: one row per request, and the guide's rows beside the checks.
    for (const id of ["en-retail-ai", "en-banking-embedded", "en-health-virtual"])
      expect(out).toContain(`| ${id}`);
    for (const row of [
      "Coherence (judge)",
      "Quality score (checks)",
      "Cost per article",
      "Generation time p95",
    ])
      expect(out).toContain(`| ${row}`);
    expect(out).toContain("wrote 3 results to out.json");

    // Another prompt version's file beside this run: both arms in one table, the earlier one named.
    const compared = await npm(["run", "eval", "--", "--limit", "1", "--compare", "out.json"], dir);
    expect(compared.code, compared.out).toBe(0);
    const header = compared.out
      .split("\n")
      .find((l) => l.includes("offline-composer (") && l.startsWith("|"));
    expect(header).toContain(`offline-composer (${PROMPT_VERSION}, earlier)`);
  });

  it("refuses a --compare file that is not an eval's --json output", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ab-eval-test-"));
    dirs.push(dir);
    await writeFile(
      path.join(dir, "junk.json"),
      JSON.stringify({ promptVersion: "x", summaries: [{ arm: 1 }] }),
    );
    const { code, out } = await npm(["run", "eval", "--", "--limit", "1", "--compare", "junk.json"], dir);
    expect(code).not.toBe(0);
    expect(out).toContain("junk.json");
  });

  it("refuses an option it does not know, saying how to call it", async () => {
    const { code, out } = await npm(["run", "eval", "--", "--limit", "many"], ROOT);
    expect(code).toBe(2);
    expect(out).toContain("usage: npm run eval -- [--limit N]");
  });
});
