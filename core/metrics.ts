import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The Prometheus metrics every process exposes at GET /metrics, named as in DESIGN.md
 * (the scalability guide's names), so the alert rules and dashboard in deploy/ stay valid.
 * One registry per process; pipeline steps import the metric they update.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const articleRequests = new Counter({
  name: "article_requests_total",
  help: "Article requests received, by platform and outcome (accepted, refused, guidance, blocked, revision, small_talk, usage, cancelled, waiting)",
  labelNames: ["platform", "outcome"] as const,
  registers: [registry],
});

export const generationDuration = new Histogram({
  name: "article_generation_duration_seconds",
  help: "Time from request accepted to last chunk delivered",
  labelNames: ["platform", "cache"] as const,
  buckets: [0.25, 0.5, 1, 2, 4, 8, 12, 20, 30, 60, 120],
  registers: [registry],
});

export const activeGenerations = new Gauge({
  name: "active_article_generations",
  help: "Generations in progress in this process",
  registers: [registry],
});

export const tokensUsed = new Counter({
  name: "openai_tokens_used_total",
  help: "Tokens used, by model and operation (chat, embedding, revision)",
  labelNames: ["model", "operation"] as const,
  registers: [registry],
});

export const costPerArticle = new Histogram({
  name: "cost_per_article_dollars",
  help: "LLM cost of one article in USD",
  buckets: [0, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
  registers: [registry],
});

export const articleWordCount = new Histogram({
  name: "article_word_count",
  help: "Words in delivered drafts",
  buckets: [100, 200, 400, 600, 800, 1200, 1600, 2000, 3000, 4000],
  registers: [registry],
});

export const ragSourcesUsed = new Histogram({
  name: "rag_sources_used",
  help: "Reference excerpts used per article",
  buckets: [0, 1, 2, 3, 4, 5, 6, 8],
  registers: [registry],
});

export const articleErrors = new Counter({
  name: "article_errors_total",
  help: "Failed generations, by stage (quota, retrieve, generate, deliver) and code",
  labelNames: ["stage", "code"] as const,
  registers: [registry],
});

export const topicCacheLookups = new Counter({
  name: "topic_cache_lookups_total",
  help: "Topic cache lookups, by result (hit_exact, hit_semantic, miss)",
  labelNames: ["result"] as const,
  registers: [registry],
});

export const quotaRefusals = new Counter({
  name: "quota_refusals_total",
  help: "Requests refused by a quota, by tier and limit (daily, burst, budget)",
  labelNames: ["tier", "limit"] as const,
  registers: [registry],
});

export const queueDepth = new Gauge({
  name: "article_queue_depth",
  help: "Jobs waiting in the article queue",
  registers: [registry],
});

export const articleQualityScore = new Histogram({
  name: "article_quality_score",
  help: "Deterministic quality score (0-100) of delivered drafts, by platform",
  labelNames: ["platform"] as const,
  buckets: [10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100],
  registers: [registry],
});

export const articleFeedback = new Counter({
  name: "article_feedback_total",
  help: "People's votes on drafts (up, down); a changed vote counts under its new value",
  labelNames: ["vote"] as const,
  registers: [registry],
});

export const chatMessagesSent = new Counter({
  name: "chat_messages_sent_total",
  help: "Messages a draft's delivery sent, by how (LINE: reply is free, push is billed per recipient)",
  labelNames: ["platform", "via"] as const,
  registers: [registry],
});

export const chatPushRefused = new Counter({
  name: "chat_push_refused_total",
  help: "Pushes the platform refused for a reason waiting does not fix (LINE: monthly_limit)",
  labelNames: ["platform", "reason"] as const,
  registers: [registry],
});

export const chatMessageQuota = new Gauge({
  name: "chat_message_quota",
  help: "A chat platform's monthly message allowance as last read (kind: limit, used)",
  labelNames: ["platform", "kind"] as const,
  registers: [registry],
});
