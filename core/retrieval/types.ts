import type { Language, Source } from "../domain.ts";

/**
 * The two ports of the retrieval step. Each has an embedded implementation (no server, no model
 * files) and a production one (OpenAI embeddings, Qdrant), chosen once in `createRetrieval`.
 */

export interface Embedder {
  /** Model id; cached vectors and stored chunks are keyed by it, so two models never mix. */
  readonly model: string;
  readonly dimensions: number;
  /** One vector per text, in order; `tokens` is what the provider billed (0 when free). */
  embed(texts: string[]): Promise<{ vectors: number[][]; tokens: number }>;
}

/** One corpus passage as the vector store holds it. */
export interface VectorRecord {
  /** The CorpusChunk id. */
  id: string;
  documentId: string;
  title: string;
  text: string;
  industry: string | null;
  language: Language;
  vector: number[];
}

export interface SearchOptions {
  limit: number;
  /** Only passages of this industry; null or undefined means any. */
  industry?: string | null;
  language?: Language;
}

/** A passage found by `nearest`, before its text is read. */
export interface PassageHit {
  /** The CorpusChunk id. */
  id: string;
  documentId: string;
  score: number;
  /** The passage itself, when the store returns it with the hit (Qdrant's payload). */
  source?: Source;
}

export interface VectorStore {
  upsert(records: VectorRecord[]): Promise<void>;
  deleteDocument(documentId: string): Promise<void>;
  /** Nearest passages by cosine similarity, best first; `excerpt` is the whole passage. */
  search(vector: number[], opts: SearchOptions): Promise<Source[]>;
  /**
   * `search` in two steps, for a caller that picks among several searches' hits by document and
   * score: the hits first, then `passages` reads the text of those kept, all in one read.
   */
  nearest(vector: number[], opts: SearchOptions): Promise<PassageHit[]>;
  /** The passages of these hits, in their order; one deleted since is left out. */
  passages(hits: PassageHit[]): Promise<Source[]>;
  /** Passages in the index (for the console and for the ingester's consistency check). */
  count(): Promise<number>;
}

export interface EmbeddingCacheStats {
  /** Texts served without calling the model (from memory or from the database). */
  hits: number;
  memoryHits: number;
  databaseHits: number;
  /** Texts that had to be embedded. */
  misses: number;
  /** Vectors held in this process's memory tier. */
  entries: number;
  capacity: number;
  /** Provider tokens actually spent through this cache. */
  tokensSpent: number;
}
