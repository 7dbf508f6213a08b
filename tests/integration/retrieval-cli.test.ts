import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.ts";

/** `npm run ingest -- <folder>` runs `node --import tsx core/retrieval/cli.ts <folder>`. */
function ingest(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "core/retrieval/cli.ts"), ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run ingest", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "ab-ingest-cli-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("ingests the sample corpus into the embedded profile, then skips it when run again", async () => {
    const first = await ingest(["data/corpus"], { DATA_DIR: dataDir });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^ingesting data\/corpus \(embeddings: local-hash-512; vectors: embedded index in the database\)$/m,
    );
    expect(first.stdout).toMatch(/^ {2}added {6}th-retail-omnichannel\.md {2}\(3 passages\)$/m);
    expect(first.stdout).toMatch(
      /20 added, 0 updated, 0 unchanged, 0 failed; \d+ passages embedded, 0 embedding tokens .*; \d+ passages indexed$/m,
    );
    const second = await ingest(["data/corpus"], { DATA_DIR: dataDir });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/0 added, 0 updated, 20 unchanged, 0 failed; 0 passages embedded/);
  });

  it("fails with one clear line for a bad folder or bad configuration", async () => {
    const missing = await ingest(["no/such/folder"], { DATA_DIR: dataDir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("ingest: no such folder: no/such/folder\n");
    expect(missing.stdout).toBe("");
    const usage = await ingest([], { DATA_DIR: dataDir });
    expect(usage.code).toBe(1);
    expect(usage.stderr).toBe("usage: npm run ingest -- <folder of .md files>\n");
    const config = await ingest(["data/corpus"], { DATA_DIR: dataDir, QDRANT_URL: "qdrant:6333" });
    expect(config.code).toBe(1);
    expect(config.stderr).toMatch(
      /^ingest: configuration error: QDRANT_URL must be a URL starting with http:\/\/ or https:\/\//,
    );
  });
});
