/**
 * `npm run ingest -- <folder>`: puts a folder of Markdown articles into the reference corpus,
 * against whatever the environment configures (PGlite in DATA_DIR, or DATABASE_URL; the local
 * hashing embedder, or OpenAI; the embedded index, or Qdrant). Safe to re-run: unchanged files
 * are skipped, changed files replace their passages.
 */
import { type AppContext, closeAppContext, openAppContext } from "../app.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { createRetrieval } from "./index.ts";
import { type FileOutcome, IngestError, listMarkdown } from "./ingest.ts";

const LABEL: Record<FileOutcome["status"], string> = {
  added: "added    ",
  updated: "updated  ",
  unchanged: "unchanged",
  failed: "FAILED   ",
};

function printFile(o: FileOutcome): void {
  const detail =
    o.status === "failed"
      ? o.error
      : `${o.chunks} passage${o.chunks === 1 ? "" : "s"}${o.embeddingTokens ? `, ${o.embeddingTokens} tokens` : ""}`;
  console.log(`  ${LABEL[o.status]}  ${o.source}  (${detail})`);
}

async function main(): Promise<number> {
  const folder = process.argv[2];
  if (!folder || folder.startsWith("-")) {
    console.error("usage: npm run ingest -- <folder of .md files>");
    return 1;
  }
  let app: AppContext | null = null;
  try {
    await listMarkdown(folder); // a wrong folder fails here, before any database is opened
    const config = loadConfig();
    // Progress goes to stdout as plain lines; JSON logs only for warnings unless LOG_LEVEL asks for more.
    app = await openAppContext(config, createLogger(process.env.LOG_LEVEL ? config.logLevel : "warn"));
    await app.db.migrate();
    const retrieval = createRetrieval(app);
    console.log(
      `ingesting ${folder} (embeddings: ${retrieval.embedder.model}; vectors: ${config.qdrant ? `Qdrant ${config.qdrant.url}` : "embedded index in the database"})`,
    );
    const s = await retrieval.ingestFolder(folder, { onFile: printFile });
    const cache = retrieval.embeddingCacheStats();
    console.log(
      `done in ${(s.ms / 1000).toFixed(1)} s: ${s.added} added, ${s.updated} updated, ${s.unchanged} unchanged, ${s.failed} failed; ` +
        `${s.chunks} passages embedded, ${s.embeddingTokens} embedding tokens (${cache.hits} cache hits)` +
        `${s.resynced ? `; ${s.resynced} stored passages re-sent to the vector store` : ""}; ${await retrieval.store.count()} passages indexed`,
    );
    return s.failed ? 1 : 0;
  } catch (err) {
    if (err instanceof ConfigError)
      for (const p of err.problems) console.error(`ingest: configuration error: ${p}`);
    else
      console.error(
        `ingest: ${err instanceof IngestError ? "" : "failed: "}${(err as Error).message.split("\n")[0]}`,
      );
    return 1;
  } finally {
    if (app) await closeAppContext(app);
  }
}

process.exitCode = await main();
