import type { CacheOwner, TopicCache } from "../cache/topic-cache.ts";
import { StopRequested, type StopSignals, type StopWatch } from "../conversation/stop.ts";
import { waitTurn } from "../conversation/turns.ts";
import { giveBackRevision, isStopRequested, revisedText, stopGeneration } from "../conversation/versions.ts";
import { type Database, Prisma } from "../db/client.ts";
import { Chunker } from "../deliver/chunker.ts";
import {
  type ChatSink,
  DeliveryIncomplete,
  type DraftSummary,
  type SinkRegistry,
  tellWaiting,
} from "../deliver/sink.ts";
import type { ArticleRequest, Chunk, Source } from "../domain.ts";
import { OFFLINE_MODEL } from "../generate/offline.ts";
import { buildPrompt, continuePrompt } from "../generate/prompt.ts";
import { buildRevisionPrompt } from "../generate/revision-prompt.ts";
import type { Prompt } from "../generate/types.ts";
import { GenerationError, type Generator } from "../generate/types.ts";
import type { ArticleJob, JobContext } from "../jobs/queue.ts";
import type { Logger } from "../logger.ts";
import * as metrics from "../metrics.ts";
import type { QualityLoop } from "../quality/index.ts";
import type { Quotas } from "../quota/quotas.ts";
import { type PriceSource, priceUsage, type TokenUse, totalCost } from "../records/cost.ts";
import { readDeliveryState } from "../records/draft-lookup.ts";
import { recordDelivered, recordFailed, recordWritten } from "../records/generations.ts";
import { readArticleRequest, readSourceRefs, toJsonColumn } from "../records/json.ts";
import type { Retrieval } from "../retrieval/index.ts";
import { countTokens } from "../text/tokens.ts";
import { countWords } from "../text/words.ts";
import type { LlmGate } from "./gate.ts";
import { type JobRow, readJobRow } from "./job-row.ts";

export interface RunDeps {
  db: Database;
  quotas: Quotas;
  cache: TopicCache;
  retrieval: Retrieval;
  generator: Generator;
  sinks: SinkRegistry;
  gate: LlmGate;
  stops: StopSignals;
  logger: Logger;
  quality: QualityLoop;
}

const TRANSIENT = new Set(["unavailable", "timeout", "rate_limited"]);

/**
 * Writes one article and posts it, from a queued job. Safe to run again for the same job:
 * a final generation is left alone, chunks already posted are not posted twice, and a draft
 * interrupted half-way is continued rather than restarted.
 */
export async function runArticleJob(deps: RunDeps, job: ArticleJob, ctx: JobContext): Promise<void> {
  const g = await readJobRow(deps.db, job.generationId);
  if (!g || g.status === "DELIVERED" || g.status === "FAILED" || g.status === "CANCELLED") return;
  const sink = sinkOrNull(deps, job, g);
  // Written on an earlier attempt, which died before the end was in the chat: only close it.
  if (g.finishedAt && g.draft !== null) {
    if (sink) await closeDraft(deps, sink, writtenSummary(g));
    else await recordDelivered(deps.db, g.id, { errorCode: "undeliverable", error: "no chat sink" });
    return;
  }
  if (!sink) {
    // Its platform is gone (unconfigured since it was queued): nothing can resume it.
    await failGeneration(
      deps,
      job,
      "undeliverable",
      "no chat sink for its destination",
      [],
      unreachable(deps),
    );
    return;
  }
  // One draft at a time per conversation: earlier ones finish first, so output never interleaves.
  const turn = await waitTurn(deps.db, g, {
    onWait: (ahead) =>
      tellWaiting(sink, { generationId: g.id, request: readArticleRequest(g.request), ahead }),
    stopped: () => isStopRequested(deps.db, g.id),
  });
  if (!turn) return stopGeneration(deps, job, [], sink, g.chunksDelivered);

  const run = new ArticleRun(deps, job, g, sink);
  metrics.activeGenerations.inc();
  try {
    await run.execute();
  } catch (error) {
    if (error instanceof StopRequested || run.stopped)
      return await stopGeneration(deps, job, run.spent(), sink, run.chunksDelivered);
    if (!(error instanceof GenerationError)) throw error; // unexpected: the queue retries, then onExhausted
    // Part of the draft is already in the chat: a later attempt can continue it, so a passing
    // outage costs the person a pause rather than half an article.
    if (run.postedAny && TRANSIENT.has(error.code) && !ctx.finalAttempt) throw error;
    await failGeneration(deps, job, error.code, error.message, run.usage, sink);
  } finally {
    run.dispose();
    metrics.activeGenerations.dec();
  }
}

/** The job will not run again (it threw on its last attempt, or its workers kept dying). */
export async function onJobExhausted(deps: RunDeps, job: ArticleJob, error: Error): Promise<void> {
  const g = await readJobRow(deps.db, job.generationId);
  if (!g) return;
  deps.logger.error({ err: error, generationId: g.id }, "article job exhausted its attempts");
  await failGeneration(
    deps,
    job,
    "internal",
    error.message,
    [],
    sinkOrNull(deps, job, g) ?? unreachable(deps),
  );
}

function sinkOrNull(deps: RunDeps, job: ArticleJob, g: Parameters<typeof sinkFor>[2]): ChatSink | null {
  try {
    return sinkFor(deps, job, g);
  } catch (err) {
    deps.logger.error({ err, generationId: g.id }, "no chat sink for the job's destination");
    return null;
  }
}

/**
 * Posts the end of a written draft and makes it DELIVERED. A refusal the platform will not
 * change its mind about is recorded with its code; anything else throws, so the job runs again
 * and lands in `closeWritten` (the draft is not written twice).
 */
async function closeDraft(deps: RunDeps, sink: ChatSink, summary: DraftSummary): Promise<void> {
  try {
    await sink.finish(summary);
  } catch (error) {
    if (!(error instanceof DeliveryIncomplete)) throw error;
    deps.logger.info(
      { generationId: summary.generationId, code: error.code },
      "the draft's end was not delivered",
    );
    metrics.articleErrors.inc({ stage: "deliver", code: error.code });
    await recordDelivered(deps.db, summary.generationId, { errorCode: error.code, error: error.message });
    return;
  }
  await recordDelivered(deps.db, summary.generationId);
}

/** The summary of a draft an earlier attempt wrote, read back from its row. */
function writtenSummary(g: JobRow): DraftSummary {
  return {
    generationId: g.id,
    request: readArticleRequest(g.request),
    words: g.words ?? 0,
    sources: readSourceRefs(g.sources),
    cacheHit: g.cacheHit,
    offline: g.model === OFFLINE_MODEL,
    draft: g.draft ?? "",
  };
}

/** Stands in for a sink that cannot be built: the failure is recorded and refunded, nobody told. */
function unreachable(deps: RunDeps): ChatSink {
  const cannot = async () => undefined;
  return {
    maxChunkChars: 1,
    start: cannot,
    postChunk: cannot,
    finish: cannot,
    fail: async (f) => deps.logger.warn({ generationId: f.generationId }, "requester could not be told"),
  };
}

async function failGeneration(
  deps: RunDeps,
  job: ArticleJob,
  code: string,
  message: string,
  usage: TokenUse[],
  sink: ChatSink,
) {
  const g = await deps.db.prisma.generation.findUniqueOrThrow({ where: { id: job.generationId } });
  const first = await recordFailed(deps.db, g.id, {
    errorCode: code,
    error: message,
    usage,
    latencyMs: Date.now() - g.createdAt.getTime(),
  });
  if (!first) return; // an earlier attempt already reported this failure
  if (job.reservation) await deps.quotas.release(job.reservation);
  await giveBackRevision(deps.db, g.id);
  metrics.articleErrors.inc({ stage: "generate", code });
  await sink
    .fail({
      generationId: g.id,
      request: readArticleRequest(g.request),
      code,
      refunded: job.reservation !== null,
    })
    .catch((err) =>
      deps.logger.warn({ err, generationId: g.id }, "could not tell the requester about a failure"),
    );
}

function sinkFor(deps: RunDeps, job: ArticleJob, g: { id: string; deliveryState: unknown }): ChatSink {
  let state = readDeliveryState(g.deliveryState);
  return deps.sinks.create({
    destination: job.destination,
    state,
    saveState: async (patch) => {
      state = { ...state, ...patch };
      await deps.db.prisma.generation.updateMany({
        where: { id: g.id },
        data: { deliveryState: toJsonColumn(state) },
      });
    },
  });
}

class ArticleRun {
  readonly usage: TokenUse[] = [];
  private readonly request: ArticleRequest;
  private readonly owner: CacheOwner;
  private delivered: number;
  private text: string;
  private firstChunkAt: number | null = null;
  private readonly watch: StopWatch;
  /** Set once the model is asked: what a stop mid-stream has spent (the count, not the prompt's text). */
  private asked: { promptTokens: number; model: string; operation: TokenUse["operation"] } | null = null;
  private streamed = "";
  postedAny = false;

  constructor(
    private readonly deps: RunDeps,
    private readonly job: ArticleJob,
    private readonly g: JobRow,
    private readonly sink: ChatSink,
  ) {
    this.request = readArticleRequest(g.request);
    this.delivered = g.chunksDelivered;
    this.text = g.draft ?? "";
    const tier = g.tier;
    // A LINE channel's users are separate clients: never share drafts between them by default.
    const scope = g.platform === "LINE" && tier.cacheScope === "TENANT" ? "REQUESTER" : tier.cacheScope;
    this.owner = { scope, tenantId: g.tenantId, requesterId: g.requesterId };
    this.watch = deps.stops.watch(g.id);
  }

  get stopped(): boolean {
    return this.watch.signal.aborted;
  }

  get chunksDelivered(): number {
    return this.delivered;
  }

  dispose(): void {
    this.watch.dispose();
  }

  /** Usage so far; a stream stopped before its usage event is counted with the tokenizer. */
  spent(): TokenUse[] {
    const a = this.asked;
    const reported = this.usage.some((u) => u.operation === "CHAT" || u.operation === "REVISION");
    if (!a || reported || this.deps.generator.offline) return this.usage;
    return [
      ...this.usage,
      {
        operation: a.operation,
        model: a.model,
        inputTokens: a.promptTokens,
        outputTokens: countTokens(this.streamed),
      },
    ];
  }

  async execute(): Promise<void> {
    if (this.g.revisesId) {
      await this.markRunning();
      return this.executeRevision(this.g.revisesId);
    }
    const resumed = this.delivered > 0;
    // Nothing is posted before the mark-as-running write says the person did not ask to stop,
    // but the reads need not wait for it: the exact cache lookups, the topic's embedding and
    // the write all start at once, and a hit is counted only once it is served.
    const running = this.markRunning();
    running.catch(() => undefined); // awaited below, after the reads
    const embedding = this.embedTopic();
    const useCache = !resumed || Boolean(this.g.cacheEntryId);
    let hit = useCache ? await this.deps.cache.findExact(this.request, this.owner) : null;
    const queryVector = await embedding;
    // A miss needs the references: they only need the topic's embedding, which is in the
    // embedder's memory now, so retrieval runs beside the semantic match.
    const retrieving = hit ? null : this.deps.retrieval.retrieve(this.request, 4);
    retrieving?.catch(() => undefined); // awaited below (retrieve itself never throws)
    if (!hit && useCache) hit = await this.deps.cache.findSemantic(this.request, this.owner, queryVector);
    await running;
    if (hit) await this.deps.cache.countHit(hit);
    metrics.topicCacheLookups.inc({ result: hit ? `hit_${hit.match}` : "miss" });
    await this.sink.start({
      generationId: this.g.id,
      linePushPolicy: this.g.tier.linePushPolicy,
      request: this.request,
      notes: this.job.notes ?? [],
      cacheHit: Boolean(hit),
      resumed,
    });

    if (hit) {
      await this.deliverAll(hit.draft.draft);
      return this.finish({
        draft: hit.draft.draft,
        sources: hit.draft.sources,
        model: hit.draft.model ?? "cache",
        cacheEntryId: hit.draft.entryId,
        cacheHit: true,
        savedUsd: hit.draft.costUsd,
        offline: false,
        promptVersion: null,
      });
    }

    const retrieved = await (retrieving ?? this.deps.retrieval.retrieve(this.request, 4));
    if (retrieved.embeddingTokens)
      this.usage.push({
        operation: "EMBEDDING",
        model: retrieved.embeddingModel,
        inputTokens: retrieved.embeddingTokens,
        outputTokens: 0,
      });
    const fresh = buildPrompt(this.request, retrieved.sources);
    const prompt = resumed ? continuePrompt(fresh, this.text) : fresh;

    await this.write(prompt, "CHAT", resumed);

    const draft = this.text;
    const cached =
      resumed || this.deps.generator.offline
        ? null
        : await this.storeInCache(draft, prompt.sourcesUsed, queryVector);
    await this.finish({
      draft,
      sources: prompt.sourcesUsed,
      model: this.deps.generator.model,
      cacheEntryId: cached,
      cacheHit: false,
      savedUsd: "0",
      offline: this.deps.generator.offline,
      promptVersion: prompt.version,
    });
  }

  /**
   * Running from now, unless the person asked to stop while it was queued: one write says which
   * (a stop found here is recorded with what was spent so far, the topic's embedding included).
   */
  private async markRunning(): Promise<void> {
    const started = await this.deps.db.prisma.generation.updateMany({
      where: { id: this.g.id, stopRequestedAt: null },
      data: { status: "RUNNING", startedAt: this.g.startedAt ?? new Date() },
    });
    if (!started.count) throw new StopRequested(this.g.id);
  }

  /** Streams the prompt into chunks; a stop aborts the stream (the generator throws its reason). */
  private async write(prompt: Prompt, operation: TokenUse["operation"], resumed: boolean): Promise<void> {
    const chunker = new Chunker({ maxChars: this.sink.maxChunkChars });
    const model = this.tierModel();
    this.asked = { promptTokens: prompt.promptTokens, model: model ?? this.deps.generator.model, operation };
    await this.deps.gate.run(async () => {
      this.watch.signal.throwIfAborted();
      for await (const event of this.deps.generator.stream(prompt, { model, signal: this.watch.signal })) {
        if (event.type === "delta") {
          this.streamed += event.text;
          this.sink.draftDelta?.(event.text);
          for (const c of chunker.push(event.text)) await this.post(c, resumed);
        } else
          this.usage.push({
            operation,
            model: event.model,
            inputTokens: event.inputTokens,
            outputTokens: event.outputTokens,
          });
      }
    });
    this.watch.signal.throwIfAborted();
    for (const c of chunker.end()) await this.post(c, resumed);
  }

  /**
   * A new version of a draft: the current version as context, the instruction, the revised
   * constraints. Never looked up in, or stored to, the topic cache: it is one person's edit.
   */
  private async executeRevision(revisesId: string): Promise<void> {
    const resumed = this.delivered > 0;
    const previous = await revisedText(this.deps.db, revisesId);
    if (previous === null)
      throw new GenerationError("bad_request", {
        retryable: false,
        detail: "no delivered version to revise",
      });
    const kind = this.job.revision?.kind ?? "edit";
    const instruction = this.g.instruction ?? "";
    await this.sink.start({
      generationId: this.g.id,
      linePushPolicy: this.g.tier.linePushPolicy,
      request: this.request,
      notes: this.job.notes ?? [],
      cacheHit: false,
      resumed,
      revision: { kind, instruction, revisesId },
    });
    // Without a model the outline is rebuilt from the references; a model works from the draft.
    const sources = this.deps.generator.offline
      ? (await this.deps.retrieval.retrieve(this.request, 4)).sources
      : [];
    const fresh = buildRevisionPrompt(this.request, { kind, instruction, previous }, sources);
    await this.write(resumed ? continuePrompt(fresh, this.text) : fresh, "REVISION", resumed);
    await this.finish({
      draft: this.text,
      sources,
      model: this.deps.generator.model,
      cacheEntryId: null,
      cacheHit: false,
      savedUsd: "0",
      offline: this.deps.generator.offline,
      promptVersion: fresh.version,
    });
  }

  /**
   * The topic's vector (the cache's semantic match). Retrieval's query is embedded in the same
   * call, so a miss finds it in the embedder's memory instead of making a second call.
   */
  private async embedTopic(): Promise<number[] | undefined> {
    try {
      const { vectors, tokens } = await this.deps.retrieval.embedder.embed([
        this.request.topic,
        this.deps.retrieval.queryText(this.request),
      ]);
      if (tokens)
        this.usage.push({
          operation: "EMBEDDING",
          model: this.deps.retrieval.embedder.model,
          inputTokens: tokens,
          outputTokens: 0,
        });
      return vectors[0];
    } catch (err) {
      this.deps.logger.warn({ err }, "topic embedding failed; semantic cache match skipped");
      return undefined;
    }
  }

  /** Cached drafts are re-chunked the same way every time, so indexes match across attempts. */
  private async deliverAll(draft: string): Promise<void> {
    const chunker = new Chunker({ maxChars: this.sink.maxChunkChars });
    this.text = "";
    const unsent: Chunk[] = [];
    for (const c of [...chunker.push(draft), ...chunker.end()]) {
      if (c.index < this.delivered) this.text += c.text;
      else unsent.push(c);
    }
    if (!this.sink.postChunks || !unsent.length) {
      for (const c of unsent) await this.post(c, false);
      return;
    }
    // One call for the whole draft: a platform that can show it at once does not replay it piece by piece.
    await this.sink.postChunks(unsent);
    for (const c of unsent) await this.record(c, c);
  }

  private async post(chunk: Chunk, continuing: boolean): Promise<void> {
    // A continuation's chunks number from where the interrupted attempt stopped.
    const numbered = continuing ? { ...chunk, index: chunk.index + this.g.chunksDelivered } : chunk;
    if (numbered.index < this.delivered) return;
    await this.sink.postChunk(numbered);
    await this.record(chunk, numbered);
  }

  /** A chunk is in the chat: count it, so a later attempt never posts it again. */
  private async record(chunk: Chunk, numbered: Chunk): Promise<void> {
    this.postedAny = true;
    this.firstChunkAt ??= Date.now();
    this.text += (this.text && !this.text.endsWith("\n") ? "\n\n" : "") + chunk.text;
    this.delivered = numbered.index + 1;
    // updateMany: the count comes back, not the whole row (its JSON columns parsed) per chunk.
    await this.deps.db.prisma.generation.updateMany({
      where: { id: this.g.id },
      data: { chunksDelivered: this.delivered, draft: this.text },
    });
  }

  private async storeInCache(
    draft: string,
    sources: Source[],
    queryVector: number[] | undefined,
  ): Promise<string | null> {
    try {
      const title = /^#\s+(.+)$/m.exec(draft)?.[1]?.trim() ?? this.request.topic;
      const cost = await this.costSoFar();
      const entry = await this.deps.cache.store(
        this.request,
        this.owner,
        { title, draft, words: countWords(draft), sources, model: this.deps.generator.model, costUsd: cost },
        queryVector,
      );
      return entry?.entryId ?? null;
    } catch (err) {
      this.deps.logger.warn({ err }, "could not store the draft in the topic cache");
      return null;
    }
  }

  private async costSoFar(): Promise<string> {
    return totalCost(await priceUsage(this.prices, this.usage)).costUsd.toString();
  }

  /**
   * The prices of this draft's models, read once: the cache entry's cost and the recorded cost
   * are priced moments apart from the same read (one query per draft instead of two).
   */
  private readonly prices: PriceSource = {
    prices: (models) => {
      const key = [...models].sort().join("\n");
      if (this.priceRead?.key !== key)
        this.priceRead = {
          key,
          rows: this.deps.db.prisma.modelPrice.findMany({ where: { model: { in: models } } }),
        };
      return this.priceRead.rows;
    },
  };
  private priceRead: { key: string; rows: ReturnType<PriceSource["prices"]> } | null = null;

  private async finish(o: {
    draft: string;
    sources: Source[];
    model: string;
    cacheEntryId: string | null;
    cacheHit: boolean;
    savedUsd: string;
    offline: boolean;
    /** The prompt template this draft was written with; null for a cache hit (none was sent). */
    promptVersion: string | null;
  }): Promise<void> {
    const words = countWords(o.draft);
    const latencyMs = Date.now() - this.g.createdAt.getTime();
    const firstChunkMs = this.firstChunkAt ? this.firstChunkAt - this.g.createdAt.getTime() : null;
    const total = await recordWritten(
      this.deps.db,
      this.g.id,
      {
        model: o.model,
        usage: this.usage,
        draft: o.draft,
        words,
        latencyMs,
        firstChunkMs,
        sources: o.sources,
        cacheHit: o.cacheHit,
        cacheEntryId: o.cacheEntryId,
        savedUsd: new Prisma.Decimal(o.savedUsd),
        revision: this.g.revisesId !== null,
        promptVersion: o.promptVersion,
      },
      this.prices,
    );
    if (!total) return; // an earlier attempt wrote it; closeWritten finishes it
    if (this.job.reservation) await this.deps.quotas.release(this.job.reservation);
    metrics.generationDuration.observe(
      { platform: this.g.platform, cache: o.cacheHit ? "hit" : "miss" },
      latencyMs / 1000,
    );
    metrics.costPerArticle.observe(total.costUsd.toNumber());
    metrics.articleWordCount.observe(words);
    metrics.ragSourcesUsed.observe(o.sources.length);
    for (const u of this.usage)
      metrics.tokensUsed.inc(
        { model: u.model, operation: u.operation.toLowerCase() },
        u.inputTokens + u.outputTokens,
      );
    await closeDraft(this.deps, this.sink, {
      generationId: this.g.id,
      request: this.request,
      words,
      sources: o.sources,
      cacheHit: o.cacheHit,
      offline: o.offline,
      draft: o.draft,
    });
    await this.deps.quality.afterDelivery({
      generationId: this.g.id,
      platform: this.g.platform,
      draft: o.draft,
      request: this.request,
      sources: o.sources,
      maxWords: this.g.tier.maxWords,
      offline: o.offline,
    });
  }

  private tierModel(): string | undefined {
    return this.g.tier.allowedModel ?? undefined;
  }
}
