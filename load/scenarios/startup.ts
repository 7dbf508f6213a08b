/**
 * Start-up cost of the embedded profile: a first start on an empty DATA_DIR (PGlite initdb,
 * migrations, seed with argon2 hashing), a warm restart on the same data, and resident memory
 * once idle. Bounded: three starts, loopback only.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, startProduct } from "../../tests/helpers/process.ts";

async function timedStart(
  dataDir: string,
): Promise<{ toRunningMs: number; toReadyMs: number; rssMiB: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const product = startProduct({
    DATA_DIR: dataDir,
    PORT: String(port),
    ADMIN_PORT: String(await freePort()),
  });
  try {
    await product.waitFor("Article Bot is running", 120_000);
    const toRunningMs = performance.now() - t0;
    while ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status !== 200)
      await sleep(20);
    const toReadyMs = performance.now() - t0;
    await sleep(1_000); // let start-up garbage settle before reading memory
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const rss = Number(/^process_resident_memory_bytes (\d+)/m.exec(metrics)?.[1] ?? NaN);
    return { toRunningMs, toReadyMs, rssMiB: rss / 2 ** 20 };
  } finally {
    await product.stop("SIGTERM");
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "ab-bench-startup-"));
  try {
    const cold = await timedStart(dataDir);
    const warm1 = await timedStart(dataDir);
    const warm2 = await timedStart(dataDir);
    const warm = (warm1.toReadyMs + warm2.toReadyMs) / 2;
    console.log("startup (embedded profile, all parts in one process)");
    console.log(`  first start, empty DATA_DIR: ${cold.toReadyMs.toFixed(0)} ms to /readyz 200`);
    console.log(`  warm restart (mean of 2):    ${warm.toFixed(0)} ms to /readyz 200`);
    console.log(
      `  resident memory when idle:   ${cold.rssMiB.toFixed(0)} MiB (first), ${warm2.rssMiB.toFixed(0)} MiB (warm)`,
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
