/**
 * Start-up cost of the embedded profile: a first start on an empty DATA_DIR (PGlite initdb,
 * migrations, seed with argon2 hashing), a warm restart on the same data, and resident memory
 * once idle. It runs what `npm start` runs: the compiled server (dist/main.js, built here the
 * way `prestart` builds it) on the console build that is there. Bounded: three starts, loopback only.
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, ROOT, startProduct } from "../../tests/helpers/process.ts";

/** Resident memory of a process from the kernel, the figure `ps -o rss` shows. */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function timedStart(
  dataDir: string,
): Promise<{ toRunningMs: number; toReadyMs: number; rssMiB: number; settledMiB: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const product = startProduct(
    { DATA_DIR: dataDir, PORT: String(port), ADMIN_PORT: String(await freePort()) },
    undefined,
    { compiled: true },
  );
  try {
    await product.waitFor("Article Bot is running", 120_000);
    const toRunningMs = performance.now() - t0;
    while ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status !== 200)
      await sleep(20);
    const toReadyMs = performance.now() - t0;
    await sleep(1_000); // let start-up garbage settle before reading memory
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const rss = Number(/^process_resident_memory_bytes (\d+)/m.exec(metrics)?.[1] ?? NaN);
    // And once settled: 15 s later, nothing having happened, the same process as the kernel sees it.
    await sleep(15_000);
    const settledMiB = await rssMiB(product.child.pid ?? 0);
    return { toRunningMs, toReadyMs, rssMiB: rss / 2 ** 20, settledMiB };
  } finally {
    await product.stop("SIGTERM");
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(): Promise<void> {
  const built = spawnSync(process.execPath, [path.join(ROOT, "ops", "build-server.mjs")], {
    stdio: "inherit",
  });
  if (built.status !== 0) throw new Error("building the server (ops/build-server.mjs) failed");
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
      `  resident memory, 1 s after:  ${cold.rssMiB.toFixed(0)} MiB (first), ${warm2.rssMiB.toFixed(0)} MiB (warm)`,
    );
    console.log(
      `  same process 15 s later:     ${cold.settledMiB.toFixed(0)} MiB (first), ${warm2.settledMiB.toFixed(0)} MiB (warm)`,
    );
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
