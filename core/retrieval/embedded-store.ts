import type { Database } from "../db/client.ts";
import type { Language, Source } from "../domain.ts";
import type { Logger } from "../logger.ts";
import type { PassageHit, SearchOptions, VectorRecord, VectorStore } from "./types.ts";
import { VectorIndex } from "./vector-index.ts";

export interface EmbeddedVectorStoreOptions {
  db: Database;
  /** Only chunks embedded by this model are indexed: two vector spaces never mix. */
  model: string;
  /** The embedder's width, or how to find it out (asked once, on first load). */
  dimensions: number | (() => Promise<number>);
  /**
   * How often a search checks whether another process (the ingest CLI against PostgreSQL)
   * changed the corpus; 0 disables the check. The check is one small aggregate query.
   */
  refreshIntervalMs?: number;
  logger?: Logger;
}

const PAGE = 2_000;

/**
 * The embedded profile's vector store. The index is persisted in the database (CorpusChunk rows
 * with their embedding, written by the ingester in the same step that calls `upsert`); this class
 * loads those vectors into memory once, keeps the memory copy in step on upsert and delete, and
 * searches it (VectorIndex). Passage text is not held in memory: the top hits are read back by id,
 * which keeps 100k passages at ~200 MiB of vectors instead of twice that with their text.
 */
export class EmbeddedVectorStore implements VectorStore {
  private index: VectorIndex | null = null;
  private loading: Promise<VectorIndex> | null = null;
  private fingerprint = "";
  private checkedAt = 0;
  private readonly refreshIntervalMs: number;

  constructor(private readonly opts: EmbeddedVectorStoreOptions) {
    this.refreshIntervalMs = opts.refreshIntervalMs ?? 5_000;
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    const index = await this.ready();
    for (const r of records) index.upsert(r);
    await this.acknowledgeOwnWrite();
  }

  async deleteDocument(documentId: string): Promise<void> {
    const index = await this.ready();
    index.removeDocument(documentId);
    await this.acknowledgeOwnWrite();
  }

  async search(vector: number[], opts: SearchOptions): Promise<Source[]> {
    return this.passages(await this.nearest(vector, opts));
  }

  async nearest(vector: number[], opts: SearchOptions): Promise<PassageHit[]> {
    const index = await this.ready();
    return index
      .search(vector, opts.limit, { industry: opts.industry, language: opts.language })
      .flatMap(({ id, score }) => {
        const documentId = index.documentOf(id);
        return documentId === undefined ? [] : [{ id, documentId, score }];
      });
  }

  async passages(hits: PassageHit[]): Promise<Source[]> {
    if (!hits.length) return [];
    const rows = await this.opts.db.prisma.corpusChunk.findMany({
      where: { id: { in: hits.map((h) => h.id) } },
      select: {
        id: true,
        documentId: true,
        text: true,
        industry: true,
        document: { select: { title: true } },
      },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    // A passage deleted by another process since the last refresh is simply left out.
    return hits.flatMap(({ id, score }) => {
      const row = byId.get(id);
      return row
        ? [
            {
              documentId: row.documentId,
              title: row.document.title,
              excerpt: row.text,
              score,
              industry: row.industry,
            },
          ]
        : [];
    });
  }

  async count(): Promise<number> {
    return (await this.ready()).size;
  }

  /** Bytes of vector memory, for the console and the benchmark. */
  get memoryBytes(): number {
    return this.index?.bytes ?? 0;
  }

  private async ready(): Promise<VectorIndex> {
    if (this.index && this.refreshIntervalMs > 0 && Date.now() - this.checkedAt >= this.refreshIntervalMs) {
      this.checkedAt = Date.now();
      if ((await this.readFingerprint()) !== this.fingerprint) {
        this.opts.logger?.info("corpus changed in the database; reloading the embedded vector index");
        this.index = null;
      }
    }
    if (this.index) return this.index;
    // One load at a time; concurrent searches wait for the same one.
    this.loading ??= this.load().finally(() => (this.loading = null));
    return this.loading;
  }

  private async load(): Promise<VectorIndex> {
    const fingerprint = await this.readFingerprint();
    const dimensions =
      typeof this.opts.dimensions === "number" ? this.opts.dimensions : await this.opts.dimensions();
    const index = new VectorIndex(dimensions);
    let after = "";
    let skipped = 0;
    for (;;) {
      // Vectors travel as float4 text: stored vectors are float32-rounded, so the cast loses
      // nothing, and splitting one string is 1.5-2.5x faster than the drivers' array parsers.
      const rows = await this.opts.db.sql.query<{
        id: string;
        documentId: string;
        industry: string | null;
        language: string;
        embedding: string;
      }>(
        `SELECT id, "documentId", industry, language, embedding::real[]::text AS embedding FROM "CorpusChunk"
         WHERE "embeddingModel" = $1 AND id > $2 ORDER BY id LIMIT ${PAGE}`,
        [this.opts.model, after],
      );
      for (const row of rows) {
        const vector =
          row.embedding.length > 2
            ? Float32Array.from(row.embedding.slice(1, -1).split(","), Number)
            : new Float32Array(0);
        if (vector.length !== dimensions) {
          skipped++;
          continue;
        }
        index.upsert({
          id: row.id,
          documentId: row.documentId,
          industry: row.industry,
          language: row.language as Language,
          vector,
        });
      }
      if (rows.length < PAGE) break;
      after = rows.at(-1)!.id;
    }
    if (skipped)
      this.opts.logger?.warn(
        { skipped, model: this.opts.model },
        "chunks with a vector of the wrong width were not indexed",
      );
    this.index = index;
    this.fingerprint = fingerprint;
    this.checkedAt = Date.now();
    return index;
  }

  /** After our own write the database already shows it; remember that so it does not trigger a reload. */
  private async acknowledgeOwnWrite(): Promise<void> {
    if (this.refreshIntervalMs <= 0) return;
    this.fingerprint = await this.readFingerprint();
    this.checkedAt = Date.now();
  }

  private async readFingerprint(): Promise<string> {
    const [row] = await this.opts.db.sql.query<{ chunks: number; latest: string | null }>(
      `SELECT (SELECT count(*) FROM "CorpusChunk" WHERE "embeddingModel" = $1)::int AS chunks,
              (SELECT max("updatedAt")::text FROM "CorpusDocument") AS latest`,
      [this.opts.model],
    );
    return `${row?.chunks ?? 0}|${row?.latest ?? ""}`;
  }
}
