import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { AppContext } from "../app.ts";
import type { Language } from "../domain.ts";
import { chunkMarkdown, parseArticle } from "./markdown.ts";
import { type RetrievalParts, selectParts } from "./select.ts";
import type { VectorRecord } from "./types.ts";

export type FileStatus = "added" | "updated" | "unchanged" | "failed";

export interface FileOutcome {
  /** The document's source name: the path relative to the folder. */
  source: string;
  status: FileStatus;
  documentId?: string;
  title?: string;
  chunks: number;
  embeddingTokens: number;
  error?: string;
}

export interface IngestSummary {
  folder: string;
  files: FileOutcome[];
  added: number;
  updated: number;
  unchanged: number;
  failed: number;
  chunks: number;
  embeddingTokens: number;
  /** Passages re-sent to a vector store that had fallen out of step with the database. */
  resynced: number;
  ms: number;
}

export interface IngestOptions {
  parts?: RetrievalParts;
  /** Called as each file finishes (the CLI prints a line). */
  onFile?: (outcome: FileOutcome) => void;
}

/** A problem with the folder itself, worded for one line of a terminal. */
export class IngestError extends Error {
  override name = "IngestError";
}

/** The `.md` files under `folder` (sub-folders included), sorted, as paths relative to it. */
export async function listMarkdown(folder: string): Promise<string[]> {
  const info = await stat(folder).catch(() => null);
  if (!info) throw new IngestError(`no such folder: ${folder}`);
  if (!info.isDirectory())
    throw new IngestError(`not a folder: ${folder} (give the folder that holds the .md files)`);
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && /\.md$/i.test(e.name))
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
  if (!files.length) throw new IngestError(`no .md files in ${folder}`);
  return files;
}

/**
 * Reads every .md file, chunks it, embeds the passages (through the embedding cache) and stores
 * them: CorpusDocument + CorpusChunk rows (the record, vectors included, so any vector store can
 * be rebuilt without paying for embeddings again), then the vector store. A file whose content
 * hash and embedding model are unchanged is skipped; a changed file replaces all its passages.
 * One bad file is reported and the others still go in.
 */
export async function ingestFolder(
  app: AppContext,
  folder: string,
  opts: IngestOptions = {},
): Promise<IngestSummary> {
  const t0 = performance.now();
  const files = await listMarkdown(folder);
  const parts = opts.parts ?? selectParts(app);
  const resynced = await resyncStore(app, parts);
  const outcomes: FileOutcome[] = [];
  for (const source of files) {
    let outcome: FileOutcome;
    try {
      outcome = await ingestFile(app, parts, source, await readFile(path.join(folder, source), "utf8"));
    } catch (err) {
      outcome = { source, status: "failed", chunks: 0, embeddingTokens: 0, error: (err as Error).message };
      app.logger.warn({ err, source }, "corpus file not ingested");
    }
    outcomes.push(outcome);
    opts.onFile?.(outcome);
  }
  await parts.embedder.settled(); // a folder ingested has every passage's vector in the shared cache
  const count = (s: FileStatus) => outcomes.filter((o) => o.status === s).length;
  return {
    folder,
    files: outcomes,
    added: count("added"),
    updated: count("updated"),
    unchanged: count("unchanged"),
    failed: count("failed"),
    chunks: outcomes.reduce((n, o) => n + (o.status === "added" || o.status === "updated" ? o.chunks : 0), 0),
    embeddingTokens: outcomes.reduce((n, o) => n + o.embeddingTokens, 0),
    resynced,
    ms: Math.round(performance.now() - t0),
  };
}

/** One document from its text; `source` names it (re-ingesting the same source replaces it). */
export async function ingestFile(
  app: AppContext,
  parts: RetrievalParts,
  source: string,
  raw: string,
): Promise<FileOutcome> {
  const { prisma } = app.db;
  const { embedder, store } = parts;
  const contentHash = createHash("sha256").update(raw).digest("hex");
  const existing = await prisma.corpusDocument.findUnique({
    where: { source },
    select: { id: true, contentHash: true, title: true, chunkCount: true },
  });
  if (existing?.contentHash === contentHash) {
    const stale = await prisma.corpusChunk.count({
      where: { documentId: existing.id, embeddingModel: { not: embedder.model } },
    });
    if (!stale)
      return {
        source,
        status: "unchanged",
        documentId: existing.id,
        title: existing.title,
        chunks: existing.chunkCount,
        embeddingTokens: 0,
      };
  }
  const article = parseArticle(raw, source);
  const passages = chunkMarkdown(article.body);
  if (!passages.length)
    throw new Error("no text to index (the file is empty apart from its front matter and title)");
  // The title rides along with every passage: "Inventory signals" means more under "AI in grocery retail".
  const { vectors, tokens } = await embedder.embed(passages.map((p) => `${article.title}\n\n${p.text}`));
  const fields = {
    title: article.title,
    industry: article.industry,
    language: article.language,
    contentHash,
    body: raw,
    chunkCount: passages.length,
  };
  const { documentId, chunkIds } = await prisma.$transaction(async (tx) => {
    const doc = await tx.corpusDocument.upsert({
      where: { source },
      create: { source, ...fields },
      update: fields,
      select: { id: true },
    });
    await tx.corpusChunk.deleteMany({ where: { documentId: doc.id } });
    const rows = await tx.corpusChunk.createManyAndReturn({
      data: passages.map((p, ordinal) => ({
        documentId: doc.id,
        ordinal,
        text: p.text,
        tokens: p.tokens,
        industry: article.industry,
        language: article.language,
        embedding: vectors[ordinal]!,
        embeddingModel: embedder.model,
      })),
      select: { id: true, ordinal: true },
    });
    return { documentId: doc.id, chunkIds: rows.sort((a, b) => a.ordinal - b.ordinal).map((r) => r.id) };
  });
  const records: VectorRecord[] = passages.map((p, i) => ({
    id: chunkIds[i]!,
    documentId,
    title: article.title,
    text: p.text,
    industry: article.industry,
    language: article.language,
    vector: vectors[i]!,
  }));
  if (existing) await store.deleteDocument(documentId);
  await store.upsert(records);
  return {
    source,
    status: existing ? "updated" : "added",
    documentId,
    title: article.title,
    chunks: passages.length,
    embeddingTokens: tokens,
  };
}

/** Removes a document from the database and the vector store; false when there was none. */
export async function deleteDocument(
  app: AppContext,
  documentId: string,
  parts: RetrievalParts = selectParts(app),
): Promise<boolean> {
  const { count } = await app.db.prisma.corpusDocument.deleteMany({ where: { id: documentId } }); // chunks cascade
  await parts.store.deleteDocument(documentId);
  return count > 0;
}

/**
 * A vector store that lost points (a new Qdrant cluster, a failed upsert) is refilled from the
 * vectors kept in the database, without embedding anything again. Cheap when in step: two counts.
 */
async function resyncStore(app: AppContext, { embedder, store }: RetrievalParts): Promise<number> {
  const { prisma } = app.db;
  const expected = await prisma.corpusChunk.count({ where: { embeddingModel: embedder.model } });
  const actual = await store.count();
  if (actual === expected) return 0;
  app.logger.warn(
    { expected, actual },
    "vector store out of step with the corpus tables; re-sending stored vectors",
  );
  const docs = await prisma.corpusDocument.findMany({ select: { id: true, title: true } });
  let sent = 0;
  for (const doc of docs) {
    const chunks = await prisma.corpusChunk.findMany({
      where: { documentId: doc.id, embeddingModel: embedder.model },
      orderBy: { ordinal: "asc" },
    });
    if (!chunks.length) continue;
    await store.upsert(
      chunks.map((c) => ({
        id: c.id,
        documentId: doc.id,
        title: doc.title,
        text: c.text,
        industry: c.industry,
        language: c.language as Language,
        vector: c.embedding,
      })),
    );
    sent += chunks.length;
  }
  const after = await store.count();
  if (after > expected)
    app.logger.warn(
      { extra: after - expected },
      "vector store holds points with no corpus row; re-create the collection to drop them",
    );
  return sent;
}
