import type { AppContext } from "../app.ts";
import { CachedEmbedder } from "./cached-embedder.ts";
import { EmbeddedVectorStore } from "./embedded-store.ts";
import { HashingEmbedder } from "./hashing-embedder.ts";
import { OpenAIEmbedder } from "./openai-embedder.ts";
import { QdrantVectorStore } from "./qdrant-store.ts";
import type { Embedder, VectorStore } from "./types.ts";

export interface RetrievalParts {
  /** The cached embedder every caller goes through. */
  embedder: CachedEmbedder;
  store: VectorStore;
}

export interface PartsOptions {
  /** Replaces the model behind the cache (tests count its calls; benchmarks time it). */
  embedder?: Embedder;
  store?: VectorStore;
  /**
   * Keep vectors in the EmbeddingCacheEntry table as well as in memory. Default: on for paid
   * models; off for the hashing embedder, which computes a vector faster than a round trip.
   */
  persistEmbeddings?: boolean;
  cacheCapacity?: number;
}

/** The one place the configuration picks implementations: OpenAI / Qdrant when set, embedded otherwise. */
export function selectParts(app: AppContext, opts: PartsOptions = {}): RetrievalParts {
  const { config, db, logger } = app;
  const inner =
    opts.embedder ??
    (config.openai.apiKey
      ? new OpenAIEmbedder({
          apiKey: config.openai.apiKey,
          baseUrl: config.openai.baseUrl,
          model: config.openai.embeddingModel,
        })
      : new HashingEmbedder());
  const persist = opts.persistEmbeddings ?? !(inner instanceof HashingEmbedder);
  const embedder = new CachedEmbedder(inner, {
    db: persist ? db : null,
    capacity: opts.cacheCapacity,
    logger,
  });
  // A model behind OPENAI_BASE_URL may have any width: stores ask for it when they first need it.
  const dimensions = inner instanceof OpenAIEmbedder ? () => inner.resolveDimensions() : inner.dimensions;
  const store =
    opts.store ??
    (config.qdrant
      ? new QdrantVectorStore({
          url: config.qdrant.url,
          apiKey: config.qdrant.apiKey,
          model: inner.model,
          dimensions,
        })
      : new EmbeddedVectorStore({
          db,
          model: inner.model,
          dimensions,
          logger: logger.child({ part: "vector-index" }),
        }));
  return { embedder, store };
}
