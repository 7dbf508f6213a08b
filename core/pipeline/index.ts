import type { AppContext } from "../app.ts";
import { BudgetWatch } from "../budget/watch.ts";
import { TopicCache } from "../cache/topic-cache.ts";
import { type ConversationMessage, type ConverseResult, converse } from "../conversation/converse.ts";
import { type Overview, overview } from "../conversation/overview.ts";
import { StopSignals } from "../conversation/stop.ts";
import type { Platform } from "../db/client.ts";
import { type SinkFactory, SinkRegistry } from "../deliver/sink.ts";
import { createGenerator } from "../generate/index.ts";
import type { Generator } from "../generate/types.ts";
import { createJobQueue, type JobQueue } from "../jobs/index.ts";
import { queueDepth } from "../metrics.ts";
import { createQualityLoop } from "../quality/index.ts";
import { Quotas } from "../quota/quotas.ts";
import { Catalog } from "../records/catalog.ts";
import type { RequesterRef } from "../records/requesters.ts";
import { createRetrieval, type Retrieval } from "../retrieval/index.ts";
import { type AcceptResult, acceptRequest, type ChatRequest } from "./accept.ts";
import { LlmGate } from "./gate.ts";
import { onJobExhausted, type RunDeps, runArticleJob } from "./run.ts";

export type { ConversationMessage, ConverseResult } from "../conversation/converse.ts";
export type { ConversationRef } from "../conversation/keys.ts";
export type { Overview, RecentDraft } from "../conversation/overview.ts";
export type { AcceptResult, ChatRequest } from "./accept.ts";

/** Tuning that is not part of the environment contract; defaults suit one 2-core machine. */
export interface PipelineOptions {
  /** Articles written at once by this process's worker (default: WORKER_CONCURRENCY). */
  workerConcurrency?: number;
  /** LLM streams open at once per process, and LLM calls started per minute across processes. */
  llmConcurrency?: number;
  llmPerMinute?: number;
  cacheTtlSeconds?: number;
  semanticThreshold?: number;
  /** How drafts reach each platform (its ChatSink); a job for a platform without one fails. */
  sinks?: Partial<Record<Platform, SinkFactory>>;
  /** Replace the generator (tests, benchmarks). */
  generator?: Generator;
  queue?: JobQueue;
  /** LINE: how long after its latest version a chat's draft stays current (default 30 minutes). */
  lineWindowMs?: number;
}

/** The assembled core: what the bot's ingress calls (accept) and what the worker runs (startWorker). */
export interface Pipeline {
  quotas: Quotas;
  /** Requesters, tiers and prices as of the catalog version (core/records/catalog.ts). */
  catalog: Catalog;
  cache: TopicCache;
  retrieval: Retrieval;
  generator: Generator;
  queue: JobQueue;
  sinks: SinkRegistry;
  /** Budget alerts: checked by the worker's housekeeping tick and after each job. */
  budgets: BudgetWatch;
  accept(request: ChatRequest): Promise<AcceptResult>;
  /** A message in a conversation: new draft, revision, stop, small talk, usage or help. */
  converse(message: ConversationMessage): Promise<ConverseResult>;
  /** A person's usage now and latest drafts, for a home surface (Slack's App Home). */
  overview(person: RequesterRef): Promise<Overview>;
  startWorker(): void;
  close(): Promise<void>;
}

export function createPipeline(app: AppContext, opts: PipelineOptions = {}): Pipeline {
  const quotas = new Quotas({
    db: app.db,
    redis: app.redis,
    timeZone: app.config.quotaTimeZone,
    caps: app.config.caps,
  });
  const catalog = new Catalog(app.db);
  const cache = new TopicCache({
    db: app.db,
    redis: app.redis,
    ttlSeconds: opts.cacheTtlSeconds,
    semanticThreshold: opts.semanticThreshold,
  });
  const retrieval = createRetrieval(app);
  const generator = opts.generator ?? createGenerator(app.config, app.logger);
  const queue = opts.queue ?? createJobQueue(app);
  const sinks = new SinkRegistry(opts.sinks ?? {});
  const gate = new LlmGate({
    concurrency: opts.llmConcurrency ?? 128,
    perMinute: opts.llmPerMinute ?? 500,
    redis: app.redis,
  });
  const stops = new StopSignals(app.redis);
  const deps: RunDeps = {
    stops,
    db: app.db,
    quotas,
    cache,
    retrieval,
    generator,
    sinks,
    gate,
    logger: app.logger.child({ part: "pipeline" }),
    quality: createQualityLoop(app.config, app.db, app.logger.child({ part: "quality" }), gate),
  };
  let depthTimer: NodeJS.Timeout | null = null;
  const budgets = new BudgetWatch(app);

  return {
    quotas,
    catalog,
    cache,
    retrieval,
    generator,
    queue,
    sinks,
    budgets,
    accept: (request) =>
      acceptRequest(
        {
          db: app.db,
          catalog,
          quotas,
          queue,
          timeZone: app.config.quotaTimeZone,
          defaultModel: generator.model,
        },
        request,
      ),
    converse: (message) =>
      converse(
        {
          db: app.db,
          catalog,
          quotas,
          queue,
          stops,
          timeZone: app.config.quotaTimeZone,
          defaultModel: generator.model,
          lineWindowMs: opts.lineWindowMs,
        },
        message,
      ),
    overview: (person) => overview({ db: app.db, quotas }, person),
    startWorker() {
      queue.process((job, ctx) => runArticleJob(deps, job, ctx).finally(() => budgets.afterDelivery()), {
        // Articles are I/O-bound (a stream of tokens, a few writes per chunk): one process
        // holds dozens at once; the LLM gate, not this, protects the provider.
        concurrency: opts.workerConcurrency ?? app.config.worker.concurrency,
        onExhausted: (job, error) => onJobExhausted(deps, job, error),
        // In-flight quota counts in memory died with the last process; its jobs still hold slots.
        onRecover: app.redis
          ? undefined
          : async (jobs) => {
              const open = await app.db.prisma.generation.findMany({
                // A written draft (finishedAt set) gave its slot back already.
                where: {
                  id: { in: jobs.map((j) => j.generationId) },
                  status: { in: ["QUEUED", "RUNNING"] },
                  finishedAt: null,
                },
                select: { id: true },
              });
              const ids = new Set(open.map((g) => g.id));
              for (const job of jobs)
                if (job.reservation && ids.has(job.generationId)) await quotas.reinstate(job.reservation);
            },
      });
      depthTimer = setInterval(
        () =>
          void queue.depth().then(
            (d) => queueDepth.set(d),
            () => undefined,
          ),
        5_000,
      );
      depthTimer.unref();
    },
    async close() {
      if (depthTimer) clearInterval(depthTimer);
      await queue.close();
      await budgets.idle();
      await retrieval.embedder.settled();
    },
  };
}
