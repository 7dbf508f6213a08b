import { words } from "../text/words.ts";
import type { Embedder } from "./types.ts";

/**
 * The embedded profile's embedder: feature hashing of word unigrams and bigrams into a fixed
 * number of signed buckets, L2-normalised. No model files, no network, deterministic across
 * processes and versions of Node (the hash is our own), free (tokens = 0). It captures shared
 * vocabulary, not meaning: good enough to rank a retail article first for a retail question,
 * and honestly weaker than OpenAI embeddings across languages and synonyms.
 */
export class HashingEmbedder implements Embedder {
  readonly model: string;

  constructor(readonly dimensions = 512) {
    this.model = `local-hash-${dimensions}`;
  }

  async embed(texts: string[]): Promise<{ vectors: number[][]; tokens: number }> {
    return { vectors: texts.map((t) => this.vector(t)), tokens: 0 };
  }

  /** Synchronous core, for callers (tests, benchmarks) that embed many texts in a loop. */
  vector(text: string): number[] {
    const v = new Float64Array(this.dimensions);
    // Lower-cased here, not in `words`: retrieval compares words case-blind, the rest of core not.
    // Any change to how terms are made changes every vector: change `model` with it.
    const terms = words(text)
      .map((w) => w.toLowerCase())
      .filter((w) => !STOPWORDS.has(w))
      .map(stem);
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i]!;
      this.add(v, term, 1);
      // A crude stem for longer Latin words lets "retailers" meet "retail" and "predictive" meet "prediction".
      if (term.length >= 6 && /^[a-z]/.test(term)) this.add(v, `${term.slice(0, 6)}~`, 0.5);
      // Bigrams keep compounds together: "ค้า"+"ปลีก" (retail), "supply"+"chain".
      if (i > 0) this.add(v, `${terms[i - 1]} ${term}`, 0.5);
    }
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    // Rounded through float32 so a vector is bit-identical fresh, from the cache and from the index.
    return Array.from(Float32Array.from(v, (x) => (norm ? x / norm : 0)));
  }

  private add(v: Float64Array, feature: string, weight: number): void {
    const h = hash32(feature);
    // The sign bit comes from the high half of the hash, the bucket from the low bits.
    v[h % this.dimensions]! += h & 0x80000000 ? -weight : weight;
  }
}

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 so low bits are well mixed. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** English plurals folded so "stores" meets "store"; anything cleverer belongs to a real model. */
function stem(w: string): string {
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is"))
    return w.slice(0, -1);
  return w;
}

/** Words that appear in every article and would otherwise dominate the cosine. */
const STOPWORDS = new Set([
  ..."a an the and or but if of to in on at by for from with as into about over than then that this these those it its is are was were be been being has have had do does did will would can could should may might must not no so such their them they we our us you your he she his her i my me what which who whom how when where why all any each more most other some only own same very just also".split(
    " ",
  ),
  // Thai function words and particles (segmented forms).
  ..."ที่ และ ใน ของ การ ความ เป็น ได้ มี จะ ให้ ไม่ ว่า ก็ กับ แต่ หรือ จาก โดย เพื่อ ซึ่ง นี้ นั้น อยู่ ไป มา แล้ว ยัง ต้อง คือ เมื่อ ถ้า อย่าง ทั้ง เช่น ๆ ครับ ค่ะ".split(
    " ",
  ),
]);
