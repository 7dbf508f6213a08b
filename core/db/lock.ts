import { open, readFile, rm } from "node:fs/promises";

/**
 * PGlite is one in-process PostgreSQL: a second process opening the same directory would
 * corrupt it. A pid file next to the data refuses the second opener with a clear message,
 * and a file left by a process that died is taken over.
 */
export async function acquireDirLock(file: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number((await readFile(file, "utf8").catch(() => "")).trim());
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `The embedded database in ${file.replace(/\/[^/]+$/, "")} is in use by process ${holder}. ` +
            "Stop it first, use another DATA_DIR, or set DATABASE_URL to share a PostgreSQL server.",
        );
      }
      await rm(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`Could not lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
