import type { AppContext } from "../app.ts";
import type { ArticleRequest, Source } from "../domain.ts";
import type { CachedEmbedder } from "./cached-embedder.ts";
import { DEFAULT_EXCERPT_TOKENS, trimExcerpt } from "./excerpt.ts";
import { HashingEmbedder } from "./hashing-embedder.ts";
import { deleteDocument, type IngestOptions, type IngestSummary, ingestFolder } from "./ingest.ts";
import { industrySlug } from "./markdown.ts";
import { type PartsOptions, selectParts } from "./select.ts";
import type { EmbeddingCacheStats, PassageHit, VectorStore } from "./types.ts";

export type { FileOutcome, IngestSummary } from "./ingest.ts";
export type { Embedder, EmbeddingCacheStats, VectorRecord, VectorStore } from "./types.ts";

export interface RetrievalOptions extends PartsOptions {
  /**
   * Hits scoring below this are not worth the prompt tokens. Default by embedder: hashing
   * cosines run low (shared words only; off-topic queries reach ~0.12-0.18 on the sample corpus
   * through hash collisions, on-topic ones 0.19-0.55), OpenAI's run higher even for unrelated texts.
   */
  minScore?: number;
  excerptTokens?: number;
}

export interface RetrievalResult {
  sources: Source[];
  /** Tokens billed for embedding the query (0 on a cache hit or with the local embedder). */
  embeddingTokens: number;
  embeddingModel: string;
}

export interface Retrieval {
  /** The cached embedder: also what the topic cache uses for its semantic match. */
  embedder: CachedEmbedder;
  store: VectorStore;
  retrieve(request: ArticleRequest, limit?: number): Promise<RetrievalResult>;
  /** The text `retrieve` embeds for a request, so a caller can embed it early with others. */
  queryText(request: ArticleRequest): string;
  ingestFolder(folder: string, opts?: Omit<IngestOptions, "parts">): Promise<IngestSummary>;
  deleteDocument(documentId: string): Promise<boolean>;
  embeddingCacheStats(): EmbeddingCacheStats;
}

const MIN_SCORE = { hashing: 0.15, model: 0.25 };
/** Passages of the requested industry need only this share of the minimum score. */
const INDUSTRY_BAR = 0.5;
/** Passages fetched per excerpt wanted, so that one excerpt per document still fills the list. */
const OVERFETCH = 3;

function queryText(request: ArticleRequest): string {
  return [request.topic, industrySlug(request.industry)?.replace(/-/g, " "), ...request.keywords]
    .filter(Boolean)
    .join(" ");
}

/** The retrieval step, on OpenAI/Qdrant when configured and on the embedded parts otherwise. */
export function createRetrieval(app: AppContext, opts: RetrievalOptions = {}): Retrieval {
  const parts = selectParts(app, opts);
  const { embedder, store } = parts;
  const minScore =
    opts.minScore ?? (embedder.inner instanceof HashingEmbedder ? MIN_SCORE.hashing : MIN_SCORE.model);
  const excerptTokens = opts.excerptTokens ?? DEFAULT_EXCERPT_TOKENS;
  const logger = app.logger.child({ part: "retrieval" });

  async function retrieve(request: ArticleRequest, limit = 4): Promise<RetrievalResult> {
    const industry = industrySlug(request.industry);
    const query = queryText(request);
    let embeddingTokens = 0;
    try {
      const { vectors, tokens } = await embedder.embed([query]);
      embeddingTokens = tokens;
      const vector = vectors[0]!;
      const above = (floor: number) => (hits: PassageHit[]) => hits.filter((h) => h.score >= floor);
      // Passages are picked by document and score alone; only the picked ones' text is read.
      // The asked industry is itself evidence of relevance, so its passages clear a lower bar.
      let picked = industry
        ? onePerDocument(
            above(minScore * INDUSTRY_BAR)(
              await store.nearest(vector, { limit: limit * OVERFETCH, industry }),
            ),
            limit,
          )
        : [];
      // Too little in the asked industry: other industries' passages beat an empty prompt.
      if (picked.length < limit)
        picked = onePerDocument(
          [...picked, ...above(minScore)(await store.nearest(vector, { limit: limit * OVERFETCH }))],
          limit,
        );
      const sources = (await store.passages(picked)).map((s) => ({
        ...s,
        excerpt: trimExcerpt(s.excerpt, excerptTokens, query),
      }));
      return { sources, embeddingTokens, embeddingModel: embedder.model };
    } catch (err) {
      // A draft without references is worse than one with them, but better than no draft.
      logger.warn({ err }, "retrieval failed; drafting without reference excerpts");
      return { sources: [], embeddingTokens, embeddingModel: embedder.model };
    }
  }

  return {
    embedder,
    store,
    retrieve,
    queryText,
    ingestFolder: (folder, ingestOpts) => ingestFolder(app, folder, { ...ingestOpts, parts }),
    deleteDocument: (documentId) => deleteDocument(app, documentId, parts),
    embeddingCacheStats: () => embedder.stats(),
  };
}

/** Best passage of each document, best first: four excerpts from four articles, not one article four times. */
function onePerDocument(hits: PassageHit[], limit: number): PassageHit[] {
  const seen = new Set<string>();
  const out: PassageHit[] = [];
  for (const h of hits) {
    if (seen.has(h.documentId)) continue;
    seen.add(h.documentId);
    out.push(h);
    if (out.length === limit) break;
  }
  return out;
}
