import type { Language } from "../domain.ts";

export interface IndexEntry {
  id: string;
  documentId: string;
  industry: string | null;
  language: Language;
  vector: ArrayLike<number>;
}

export interface IndexHit {
  id: string;
  score: number;
}

const LANGUAGE_CODE: Record<Language, number> = { en: 1, th: 2 };

/**
 * Brute-force cosine search in memory. Vectors live normalised in one contiguous Float32Array
 * (row per passage), so a query is a single pass of dot products over cache-friendly memory and
 * a bounded min-heap keeps the top k. Industry and language are small integer codes beside the
 * rows: a filtered query skips a row with one integer compare, before any arithmetic.
 * At corpus sizes (thousands to ~100k passages) this beats an approximate index on simplicity
 * and is exact; beyond that, configure Qdrant.
 */
export class VectorIndex {
  private data: Float32Array;
  private ids: string[] = [];
  private documents: string[] = [];
  private industryCodes: Uint16Array;
  private languageCodes: Uint8Array;
  private readonly slots = new Map<string, number>();
  private readonly byDocument = new Map<string, Set<string>>();
  private readonly industries = new Map<string, number>();
  private n = 0;

  constructor(
    readonly dimensions: number,
    initialCapacity = 1_024,
  ) {
    const cap = Math.max(16, initialCapacity);
    this.data = new Float32Array(cap * dimensions);
    this.industryCodes = new Uint16Array(cap);
    this.languageCodes = new Uint8Array(cap);
  }

  get size(): number {
    return this.n;
  }

  /** Bytes held by the vectors and their codes (ids and the maps come on top). */
  get bytes(): number {
    return this.data.byteLength + this.industryCodes.byteLength + this.languageCodes.byteLength;
  }

  upsert(entry: IndexEntry): void {
    if (entry.vector.length !== this.dimensions)
      throw new Error(
        `vector for ${entry.id} has ${entry.vector.length} dimensions, the index ${this.dimensions}`,
      );
    let slot = this.slots.get(entry.id);
    if (slot === undefined) {
      if (this.n === this.industryCodes.length) this.grow();
      slot = this.n++;
      this.slots.set(entry.id, slot);
      this.ids[slot] = entry.id;
    } else {
      this.byDocument.get(this.documents[slot]!)?.delete(entry.id);
    }
    this.documents[slot] = entry.documentId;
    let members = this.byDocument.get(entry.documentId);
    if (!members) {
      members = new Set();
      this.byDocument.set(entry.documentId, members);
    }
    members.add(entry.id);
    this.industryCodes[slot] = entry.industry ? this.industryCode(entry.industry, true) : 0;
    this.languageCodes[slot] = LANGUAGE_CODE[entry.language] ?? 0;
    let norm = 0;
    for (let j = 0; j < this.dimensions; j++) norm += entry.vector[j]! * entry.vector[j]!;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const off = slot * this.dimensions;
    for (let j = 0; j < this.dimensions; j++) this.data[off + j] = entry.vector[j]! * scale;
  }

  /** Removes one passage by moving the last row into its slot, so rows stay contiguous. */
  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = --this.n;
    this.byDocument.get(this.documents[slot]!)?.delete(id);
    if (this.byDocument.get(this.documents[slot]!)?.size === 0) this.byDocument.delete(this.documents[slot]!);
    if (slot !== last) {
      const movedId = this.ids[last]!;
      this.data.copyWithin(slot * this.dimensions, last * this.dimensions, (last + 1) * this.dimensions);
      this.ids[slot] = movedId;
      this.documents[slot] = this.documents[last]!;
      this.industryCodes[slot] = this.industryCodes[last]!;
      this.languageCodes[slot] = this.languageCodes[last]!;
      this.slots.set(movedId, slot);
    }
    this.ids.length = this.n;
    this.documents.length = this.n;
    this.slots.delete(id);
    return true;
  }

  /** The document a passage belongs to (undefined once removed). */
  documentOf(id: string): string | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.documents[slot];
  }

  removeDocument(documentId: string): number {
    const members = [...(this.byDocument.get(documentId) ?? [])];
    for (const id of members) this.remove(id);
    return members.length;
  }

  search(
    query: ArrayLike<number>,
    k: number,
    filter: { industry?: string | null; language?: Language } = {},
  ): IndexHit[] {
    if (query.length !== this.dimensions)
      throw new Error(`query has ${query.length} dimensions, the index ${this.dimensions}`);
    const industry = filter.industry ? this.industryCode(filter.industry, false) : 0;
    if (filter.industry && !industry) return []; // no passage of that industry was ever indexed
    const language = filter.language ? LANGUAGE_CODE[filter.language] : 0;
    const d = this.dimensions;
    const q = Float32Array.from(query);
    let norm = 0;
    for (let j = 0; j < d; j++) norm += q[j]! * q[j]!;
    if (norm === 0 || k <= 0) return [];
    const inv = 1 / Math.sqrt(norm);
    const heap = new TopK(k);
    const { data, industryCodes, languageCodes } = this;
    const d4 = d - (d % 4);
    const n = this.n;
    let floor = -Infinity; // the worst score kept once the heap is full: most rows stop at this compare
    for (let s = 0, off = 0; s < n; s++, off += d) {
      if (industry && industryCodes[s] !== industry) continue;
      if (language && languageCodes[s] !== language) continue;
      // Four accumulators let the CPU overlap the multiply-adds; V8 keeps them in registers.
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0;
      let j = 0;
      for (; j < d4; j += 4) {
        a0 += data[off + j]! * q[j]!;
        a1 += data[off + j + 1]! * q[j + 1]!;
        a2 += data[off + j + 2]! * q[j + 2]!;
        a3 += data[off + j + 3]! * q[j + 3]!;
      }
      for (; j < d; j++) a0 += data[off + j]! * q[j]!;
      const score = (a0 + a1 + a2 + a3) * inv;
      if (score > floor) floor = heap.offer(score, s);
    }
    return heap.sorted().map(({ score, slot }) => ({ id: this.ids[slot]!, score }));
  }

  private industryCode(industry: string, create: boolean): number {
    let code = this.industries.get(industry);
    if (code === undefined && create) {
      code = this.industries.size + 1;
      if (code > 0xffff) throw new Error("more than 65,535 distinct industries");
      this.industries.set(industry, code);
    }
    return code ?? 0;
  }

  private grow(): void {
    const cap = this.industryCodes.length * 2;
    const data = new Float32Array(cap * this.dimensions);
    data.set(this.data);
    this.data = data;
    const ind = new Uint16Array(cap);
    ind.set(this.industryCodes);
    this.industryCodes = ind;
    const lang = new Uint8Array(cap);
    lang.set(this.languageCodes);
    this.languageCodes = lang;
  }
}

/** A min-heap of the k best (score, slot) pairs seen so far; the root is the worst kept. */
class TopK {
  private readonly scores: Float64Array;
  private readonly slots: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.slots = new Int32Array(k);
  }

  /** Returns the score a newcomer must beat from now on (-Infinity until the heap is full). */
  offer(score: number, slot: number): number {
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (this.scores[parent]! <= score) break;
        this.scores[i] = this.scores[parent]!;
        this.slots[i] = this.slots[parent]!;
        i = parent;
      }
      this.scores[i] = score;
      this.slots[i] = slot;
    } else if (score > this.scores[0]!) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.k) break;
        const r = l + 1;
        const c = r < this.k && this.scores[r]! < this.scores[l]! ? r : l;
        if (this.scores[c]! >= score) break;
        this.scores[i] = this.scores[c]!;
        this.slots[i] = this.slots[c]!;
        i = c;
      }
      this.scores[i] = score;
      this.slots[i] = slot;
    }
    return this.size < this.k ? -Infinity : this.scores[0]!;
  }

  sorted(): { score: number; slot: number }[] {
    const out: { score: number; slot: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ score: this.scores[i]!, slot: this.slots[i]! });
    return out.sort((a, b) => b.score - a.score || a.slot - b.slot);
  }
}
