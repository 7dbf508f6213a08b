import { createHash } from "node:crypto";
import { QdrantClient } from "@qdrant/js-client-rest";
import type { Source } from "../domain.ts";
import type { PassageHit, SearchOptions, VectorRecord, VectorStore } from "./types.ts";

export interface QdrantVectorStoreOptions {
  url: string;
  apiKey?: string;
  /** Default: one collection per embedding model, so switching models never mixes vector spaces. */
  collection?: string;
  model: string;
  /** The embedder's width, or how to find it out (asked once, on first use). */
  dimensions: number | (() => Promise<number>);
  /** Per request. */
  timeoutMs?: number;
  /** Points per upsert request. */
  batchSize?: number;
}

/** Payload fields filtered on: keyword indexes make those filters cheap at any collection size. */
const INDEXED_FIELDS = ["industry", "language", "documentId"] as const;

interface Payload {
  documentId: string;
  chunkId: string;
  title: string;
  text: string;
  industry: string | null;
  language: string;
}

/**
 * The production vector store: Qdrant through its official REST client. The collection is
 * created on first use (Cosine distance, the embedder's width) with keyword payload indexes;
 * a collection of another width is refused with a message rather than silently mis-searched.
 * Qdrant point ids must be integers or UUIDs, so a chunk's id maps to a name-based UUID and the
 * chunk id itself travels in the payload.
 */
export class QdrantVectorStore implements VectorStore {
  readonly collection: string;
  private readonly client: QdrantClient;
  private ensured: Promise<void> | null = null;

  constructor(private readonly opts: QdrantVectorStoreOptions) {
    this.collection = opts.collection ?? `article_corpus_${opts.model.replace(/[^A-Za-z0-9_-]+/g, "_")}`;
    this.client = new QdrantClient({ url: opts.url, apiKey: opts.apiKey, timeout: opts.timeoutMs ?? 10_000 });
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    await this.ensureCollection();
    const size = this.opts.batchSize ?? 256;
    for (let i = 0; i < records.length; i += size) {
      const points = records.slice(i, i + size).map((r) => ({
        id: pointId(r.id),
        vector: r.vector,
        payload: {
          documentId: r.documentId,
          chunkId: r.id,
          title: r.title,
          text: r.text,
          industry: r.industry,
          language: r.language,
        } satisfies Payload,
      }));
      await this.call("upsert points", () => this.client.upsert(this.collection, { wait: true, points }));
    }
  }

  async deleteDocument(documentId: string): Promise<void> {
    await this.ensureCollection();
    await this.call("delete points", () =>
      this.client.delete(this.collection, {
        wait: true,
        filter: { must: [{ key: "documentId", match: { value: documentId } }] },
      }),
    );
  }

  async search(vector: number[], opts: SearchOptions): Promise<Source[]> {
    return this.passages(await this.nearest(vector, opts));
  }

  /** Qdrant returns each passage with its hit: `passages` has nothing left to read. */
  async passages(hits: PassageHit[]): Promise<Source[]> {
    return hits.flatMap((h) => (h.source ? [h.source] : []));
  }

  async nearest(vector: number[], opts: SearchOptions): Promise<PassageHit[]> {
    await this.ensureCollection();
    const must = [
      ...(opts.industry ? [{ key: "industry", match: { value: opts.industry } }] : []),
      ...(opts.language ? [{ key: "language", match: { value: opts.language } }] : []),
    ];
    const res = await this.call("query points", () =>
      this.client.query(this.collection, {
        query: vector,
        limit: opts.limit,
        filter: must.length ? { must } : undefined,
        with_payload: true,
      }),
    );
    return res.points.map((p) => {
      const payload = (p.payload ?? {}) as Partial<Payload>;
      const source: Source = {
        documentId: payload.documentId ?? "",
        title: payload.title ?? "",
        excerpt: payload.text ?? "",
        score: p.score,
        industry: payload.industry ?? null,
      };
      return { id: payload.chunkId ?? String(p.id), documentId: source.documentId, score: p.score, source };
    });
  }

  async count(): Promise<number> {
    await this.ensureCollection();
    return (await this.call("count points", () => this.client.count(this.collection, { exact: true }))).count;
  }

  /** Once per process; a failure is retried on the next call rather than remembered. */
  private ensureCollection(): Promise<void> {
    this.ensured ??= this.createIfMissing().catch((err) => {
      this.ensured = null;
      throw err;
    });
    return this.ensured;
  }

  private async createIfMissing(): Promise<void> {
    const dimensions =
      typeof this.opts.dimensions === "number" ? this.opts.dimensions : await this.opts.dimensions();
    const { exists } = await this.call("check collection", () =>
      this.client.collectionExists(this.collection),
    );
    let schema: Record<string, unknown> = {};
    if (exists) {
      const info = await this.call("read collection", () => this.client.getCollection(this.collection));
      const vectors = info.config.params.vectors as { size?: number } | undefined;
      if (vectors?.size !== undefined && vectors.size !== dimensions)
        throw new Error(
          `Qdrant collection "${this.collection}" holds ${vectors.size}-dimensional vectors but the embedder ${this.opts.model} makes ${dimensions}; use another collection or re-create it`,
        );
      schema = info.payload_schema;
    } else {
      try {
        await this.client.createCollection(this.collection, {
          vectors: { size: dimensions, distance: "Cosine" },
        });
      } catch (err) {
        // Another process created it between our check and our create: that is the outcome we wanted.
        if (statusOf(err) !== 409) throw describe("create collection", err);
      }
    }
    for (const field of INDEXED_FIELDS) {
      if (schema[field]) continue;
      await this.call(`index payload field ${field}`, () =>
        this.client.createPayloadIndex(this.collection, {
          field_name: field,
          field_schema: "keyword",
          wait: true,
        }),
      );
    }
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw describe(what, err);
    }
  }
}

/** A name-based UUID (SHA-256, version bits set as for v5) so the same chunk always maps to the same point. */
export function pointId(chunkId: string): string {
  const h = createHash("sha256").update(`article-bot:chunk:${chunkId}`).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function statusOf(err: unknown): number | undefined {
  return typeof err === "object" && err && "status" in err && typeof err.status === "number"
    ? err.status
    : undefined;
}

/** The client's errors carry only the HTTP status text; Qdrant's own message is in the body. */
function describe(what: string, err: unknown): Error {
  const status = statusOf(err);
  const data = (err as { data?: { status?: { error?: string } } }).data;
  const detail = data?.status?.error ?? (err as Error).message ?? String(err);
  return new Error(`Qdrant ${what} failed${status ? ` (${status})` : ""}: ${detail}`, { cause: err });
}
