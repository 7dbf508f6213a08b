import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { CapDefaults } from "./quota/caps.ts";
import { parseTrustProxy, type TrustProxy, trustProxyOf } from "./trust-proxy.ts";

/**
 * The configuration contract (../shared/DESIGN.md), parsed and validated once at start-up.
 * An unset service URL selects the embedded implementation of that port.
 */
export interface Config {
  nodeEnv: "development" | "production" | "test";
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  dataDir: string;
  /** PostgreSQL's pool size per process (DATABASE_POOL_SIZE); the default follows the worker's concurrency. */
  database: { kind: "postgres"; url: string; poolSize?: number } | { kind: "pglite"; dir: string };
  /** Articles a worker process writes at once (WORKER_CONCURRENCY). */
  worker: { concurrency: number };
  redis: { url: string } | null;
  qdrant: { url: string; apiKey?: string } | null;
  openai: { apiKey?: string; baseUrl?: string; model: string; embeddingModel: string };
  slack: { botToken: string; signingSecret?: string; appToken?: string; apiUrl?: string } | null;
  line: {
    channelSecret: string;
    accessToken: string;
    apiBaseUrl?: string;
    /** Where rich menu images go (LINE's api-data host; the API base when that is set, so one fake serves both). */
    apiDataBaseUrl?: string;
    /** Names people type for the bot in groups (besides its display name), matched like a mention. */
    aliases: string[];
    /** The draft's one free reply goes by this long after the event (LINE's token lasts ~60 s). */
    replyDeadlineSeconds: number;
  } | null;
  http: { host: string; port: number };
  /** Where a process without the bot's server (a worker) serves /healthz, /readyz and /metrics; null: nowhere. */
  metrics: { port: number } | null;
  admin: {
    port: number;
    sessionSecret?: string;
    email?: string;
    password?: string;
    /** TRUST_PROXY: how far to believe X-Forwarded-For (hop count, or the proxies' CIDR ranges). */
    trustProxy?: TrustProxy;
  };
  quotaTimeZone: string;
  /** The optional LLM judge of delivered drafts; the deterministic checks always run. */
  quality: { judgeModel?: string; judgeSampleRate: number };
  /** Defaults of the workspace and overall caps; a value saved in the console wins (decision 110). */
  caps: CapDefaults;
  /** Where budget alert emails are sent through (SMTP_URL), and whom they come from. */
  smtp: { url: string; from: string } | null;
}

/** Thrown with one human line per bad variable; the entry points print them and exit 1. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

const optional = (schema: z.ZodType<string>) =>
  z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), schema.optional());

const urlWith = (schemes: string[], example: string) =>
  z.string().refine(
    (value) => {
      try {
        return schemes.includes(new URL(value).protocol.replace(/:$/, ""));
      } catch {
        return false;
      }
    },
    {
      message: `must be a URL starting with ${schemes.map((s) => `${s}://`).join(" or ")} (for example ${example})`,
    },
  );

const port = (fallback: number) =>
  z.preprocess(
    (v) => (v === undefined || v === "" ? String(fallback) : v),
    z
      .string()
      .regex(/^\d+$/, "must be a whole number between 0 and 65535")
      .transform(Number)
      .refine((n) => n <= 65535, "must be a whole number between 0 and 65535"),
  );

const wholeNumber = <F extends string | undefined>(fallback: F, min: number, max: number) =>
  z.preprocess(
    (v) => (v === undefined || v === "" ? fallback : v),
    z
      .string()
      .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
      .transform(Number)
      .refine((n) => n >= min && n <= max, `must be a whole number between ${min} and ${max}`)
      .optional(),
  );

export const DEFAULT_WORKER_CONCURRENCY = 128;

/**
 * Connections a process's pool may open, for its worker's concurrency: a draft holds one only
 * for a statement at a time (decision 130), ~15 statements over its ~10 s, so one connection per
 * 25 drafts in flight leaves room for bursts; at least 10 (the bot's and console's own reads), at
 * most 40 (PostgreSQL's default max_connections is 100, shared by every process).
 */
export function defaultPoolSize(workerConcurrency: number): number {
  return Math.min(40, Math.max(10, Math.ceil(workerConcurrency / 25)));
}

const prefixed = (prefix: string, what: string) =>
  z.string().refine((v) => v.startsWith(prefix), { message: `must be ${what} (starts with "${prefix}")` });

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone name (for example "Asia/Bangkok" or "UTC")' },
);

const count = optional(z.string().regex(/^\d+$/, "must be a whole number of articles (0 or more)"));
const dollars = optional(
  z.string().regex(/^\d{1,10}(?:\.\d{1,2})?$/, "must be an amount in USD such as 50 or 49.99"),
);

const schema = z.object({
  NODE_ENV: z.preprocess(
    (v) => (v === undefined || v === "" ? "development" : v),
    z.enum(["development", "production", "test"], {
      message: 'must be "development", "production" or "test"',
    }),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (v === undefined || v === "" ? "info" : v),
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      message: "must be one of fatal, error, warn, info, debug, trace, silent",
    }),
  ),
  DATA_DIR: optional(z.string()),
  DATABASE_URL: optional(
    urlWith(["postgres", "postgresql"], "postgresql://user:pass@localhost:5432/articlebot"),
  ),
  REDIS_URL: optional(urlWith(["redis", "rediss"], "redis://localhost:6379")),
  QDRANT_URL: optional(urlWith(["http", "https"], "http://localhost:6333")),
  QDRANT_API_KEY: optional(z.string()),
  OPENAI_API_KEY: optional(z.string().regex(/^\S+$/, "must not contain spaces")),
  OPENAI_BASE_URL: optional(urlWith(["http", "https"], "https://api.openai.com/v1")),
  OPENAI_MODEL: optional(
    z.string().regex(/^[\w.:\-/]+$/, "must be a model id such as gpt-4o-mini or ft:gpt-4o-mini:org::id"),
  ),
  OPENAI_EMBEDDING_MODEL: optional(
    z.string().regex(/^[\w.:\-/]+$/, "must be a model id such as text-embedding-3-small"),
  ),
  SLACK_BOT_TOKEN: optional(prefixed("xoxb-", "a Slack bot token")),
  SLACK_SIGNING_SECRET: optional(
    z.string().regex(/^[0-9a-f]{16,}$/i, "must be the app's signing secret (hex, from Basic Information)"),
  ),
  SLACK_APP_TOKEN: optional(prefixed("xapp-", "a Slack app-level token")),
  SLACK_API_URL: optional(urlWith(["http", "https"], "https://slack.com/api/")),
  LINE_CHANNEL_SECRET: optional(
    z
      .string()
      .regex(/^[0-9a-f]{16,}$/i, "must be the channel secret (hex, from the LINE Developers console)"),
  ),
  LINE_CHANNEL_ACCESS_TOKEN: optional(z.string().regex(/^\S+$/, "must not contain spaces")),
  LINE_API_BASE_URL: optional(urlWith(["http", "https"], "https://api.line.me")),
  LINE_API_DATA_BASE_URL: optional(urlWith(["http", "https"], "https://api-data.line.me")),
  LINE_BOT_ALIASES: optional(
    z
      .string()
      .max(500)
      .refine(
        (v) => aliasList(v).every((n) => [...n].length <= 40),
        "must be names of at most 40 characters, separated by commas",
      ),
  ),
  LINE_REPLY_DEADLINE_SECONDS: z.preprocess(
    (v) => (v === undefined || v === "" ? "50" : v),
    z
      .string()
      .regex(/^\d+$/, "must be a whole number of seconds between 5 and 55")
      .transform(Number)
      .refine((n) => n >= 5 && n <= 55, "must be a whole number of seconds between 5 and 55"),
  ),
  WORKER_CONCURRENCY: wholeNumber(String(DEFAULT_WORKER_CONCURRENCY), 1, 10_000),
  DATABASE_POOL_SIZE: wholeNumber(undefined, 1, 1_000),
  HOST: optional(z.string()),
  PORT: port(3000),
  ADMIN_PORT: port(3001),
  METRICS_PORT: z.preprocess(
    (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
    z
      .string()
      .regex(/^\d+$/, "must be a whole number between 0 and 65535")
      .transform(Number)
      .refine((n) => n <= 65535, "must be a whole number between 0 and 65535")
      .optional(),
  ),
  SESSION_SECRET: optional(
    z.string().min(32, "must be at least 32 characters (for example: openssl rand -hex 32)"),
  ),
  ADMIN_EMAIL: optional(z.email({ message: "must be an email address" })),
  ADMIN_PASSWORD: optional(z.string().min(12, "must be at least 12 characters")),
  // A container secret (Docker/Kubernetes mount it as a file): read once, in place of ADMIN_PASSWORD.
  ADMIN_PASSWORD_FILE: optional(z.string()),
  TZ_QUOTA: z.preprocess((v) => (v === undefined || v === "" ? "Asia/Bangkok" : v), timeZone),
  QUALITY_JUDGE_MODEL: optional(z.string().regex(/^[\w.:\-/]+$/, "must be a model id such as gpt-4o-mini")),
  QUALITY_JUDGE_SAMPLE_RATE: z.preprocess(
    (v) => (v === undefined || v === "" ? "0.1" : v),
    z
      .string()
      .regex(
        /^(?:0(?:\.\d+)?|1(?:\.0+)?)$/,
        "must be a share between 0 and 1 (for example 0.1 for one draft in ten)",
      )
      .transform(Number),
  ),
  TENANT_DAILY_ARTICLE_LIMIT: count,
  TENANT_MONTHLY_BUDGET_USD: dollars,
  GLOBAL_DAILY_SPEND_USD: dollars,
  GLOBAL_MONTHLY_BUDGET_USD: dollars,
  SMTP_URL: optional(urlWith(["smtp", "smtps"], "smtp://user:pass@mail.example.com:587")),
  ALERT_EMAIL_FROM: optional(z.email({ message: "must be an email address" })),
  TRUST_PROXY: optional(
    z.string().refine((v) => typeof parseTrustProxy(v) !== "string", {
      message:
        "must be a number of proxy hops (1) or the proxies' addresses as CIDR ranges (10.0.0.0/8, ::1)",
    }),
  ),
});

type Env = Record<string, string | undefined>;

/** Every environment variable the configuration contract reads (deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** Pairs that only work together, checked after each value is valid on its own. */
function crossChecks(e: z.infer<typeof schema>): string[] {
  const problems: string[] = [];
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN)
    problems.push(
      "SLACK_SIGNING_SECRET must be set when SLACK_BOT_TOKEN is set (or set SLACK_APP_TOKEN for Socket Mode)",
    );
  if (!e.SLACK_BOT_TOKEN && (e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN))
    problems.push("SLACK_BOT_TOKEN must be set when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set");
  if (Boolean(e.LINE_CHANNEL_SECRET) !== Boolean(e.LINE_CHANNEL_ACCESS_TOKEN))
    problems.push("LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN must be set together");
  if (e.ADMIN_PASSWORD && !e.ADMIN_EMAIL) problems.push("ADMIN_EMAIL must be set when ADMIN_PASSWORD is set");
  if (e.QUALITY_JUDGE_MODEL && !e.OPENAI_API_KEY)
    problems.push("OPENAI_API_KEY must be set when QUALITY_JUDGE_MODEL is set (the judge is a model call)");
  if (e.ADMIN_PORT === e.PORT && e.PORT !== 0)
    problems.push(`ADMIN_PORT must differ from PORT (both are ${e.PORT})`);
  return problems;
}

/**
 * What a process needs for the parts it runs, beyond what every process needs: only the console
 * keys session tokens, so only a process that runs it must have SESSION_SECRET in production
 * (compose gives the secret to the console's container alone).
 */
export function partProblems(config: Config, parts: readonly string[]): string[] {
  if (parts.includes("admin") && config.nodeEnv === "production" && !config.admin.sessionSecret)
    return ["SESSION_SECRET must be set when NODE_ENV=production (at least 32 characters)"];
  return [];
}

/** ADMIN_PASSWORD_FILE's contents become ADMIN_PASSWORD (one trailing newline dropped, as
 * `echo` and most secret stores leave one); setting both is refused as ambiguous. */
function withSecretFiles(env: Env): Env {
  const file = env.ADMIN_PASSWORD_FILE;
  if (!file) return env;
  if (env.ADMIN_PASSWORD) throw new ConfigError(["set ADMIN_PASSWORD or ADMIN_PASSWORD_FILE, not both"]);
  let password: string;
  try {
    password = readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch {
    // The path is not secret; the reason (ENOENT, EACCES) is the operator's to look up.
    throw new ConfigError([`ADMIN_PASSWORD_FILE cannot be read (${file})`]);
  }
  return { ...env, ADMIN_PASSWORD: password };
}

/** "Bot, บอท , Writer" → ["Bot", "บอท", "Writer"]. */
function aliasList(v: string): string[] {
  return [
    ...new Set(
      v
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ];
}

/** A URL's password never reaches a log line or an error message. */
function withoutPassword(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = "***";
    return url.toString();
  } catch {
    return value;
  }
}

export function loadConfig(env: Env = process.env): Config {
  const parsed = schema.safeParse(withSecretFiles(env));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0]);
        const got = env[name];
        const shown =
          got === undefined
            ? ""
            : ` (got "${/SECRET|TOKEN|PASSWORD|KEY/.test(name) ? "…" : withoutPassword(got)}")`;
        return `${name} ${issue.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  const problems = crossChecks(e);
  if (problems.length) throw new ConfigError(problems);

  const dataDir = path.resolve(e.DATA_DIR ?? "./.data");
  const workerConcurrency = e.WORKER_CONCURRENCY ?? DEFAULT_WORKER_CONCURRENCY;
  return {
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    dataDir,
    database: e.DATABASE_URL
      ? {
          kind: "postgres",
          url: e.DATABASE_URL,
          poolSize: e.DATABASE_POOL_SIZE ?? defaultPoolSize(workerConcurrency),
        }
      : { kind: "pglite", dir: path.join(dataDir, "pglite") },
    worker: { concurrency: workerConcurrency },
    redis: e.REDIS_URL ? { url: e.REDIS_URL } : null,
    qdrant: e.QDRANT_URL ? { url: e.QDRANT_URL, apiKey: e.QDRANT_API_KEY } : null,
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_MODEL ?? "gpt-4o-mini",
      embeddingModel: e.OPENAI_EMBEDDING_MODEL ?? "text-embedding-3-small",
    },
    slack: e.SLACK_BOT_TOKEN
      ? {
          botToken: e.SLACK_BOT_TOKEN,
          signingSecret: e.SLACK_SIGNING_SECRET,
          appToken: e.SLACK_APP_TOKEN,
          apiUrl: e.SLACK_API_URL,
        }
      : null,
    line:
      e.LINE_CHANNEL_SECRET && e.LINE_CHANNEL_ACCESS_TOKEN
        ? {
            channelSecret: e.LINE_CHANNEL_SECRET,
            accessToken: e.LINE_CHANNEL_ACCESS_TOKEN,
            apiBaseUrl: e.LINE_API_BASE_URL,
            apiDataBaseUrl: e.LINE_API_DATA_BASE_URL ?? e.LINE_API_BASE_URL,
            aliases: aliasList(e.LINE_BOT_ALIASES ?? ""),
            replyDeadlineSeconds: e.LINE_REPLY_DEADLINE_SECONDS,
          }
        : null,
    http: { host: e.HOST ?? "127.0.0.1", port: e.PORT },
    metrics: e.METRICS_PORT === undefined ? null : { port: e.METRICS_PORT },
    admin: {
      port: e.ADMIN_PORT,
      sessionSecret: e.SESSION_SECRET,
      email: e.ADMIN_EMAIL,
      password: e.ADMIN_PASSWORD,
      trustProxy: trustProxyOf(e.TRUST_PROXY),
    },
    quotaTimeZone: e.TZ_QUOTA,
    quality: { judgeModel: e.QUALITY_JUDGE_MODEL, judgeSampleRate: e.QUALITY_JUDGE_SAMPLE_RATE },
    caps: {
      tenantDailyArticles: orNull(e.TENANT_DAILY_ARTICLE_LIMIT),
      tenantMonthlyBudgetUsd: orNull(e.TENANT_MONTHLY_BUDGET_USD),
      overallDailySpendUsd: orNull(e.GLOBAL_DAILY_SPEND_USD),
      overallMonthlyBudgetUsd: orNull(e.GLOBAL_MONTHLY_BUDGET_USD),
    },
    smtp: e.SMTP_URL
      ? { url: e.SMTP_URL, from: e.ALERT_EMAIL_FROM ?? `article-bot@${new URL(e.SMTP_URL).hostname}` }
      : null,
  };
}

const orNull = (v: string | undefined) => (v === undefined ? null : Number(v));

/** One line per configured part, for the start-up banner. Never prints a secret. */
export function describeConfig(c: Config): string[] {
  return [
    `database   ${c.database.kind === "postgres" ? `PostgreSQL ${withoutPassword(c.database.url)}` : `PGlite (embedded) in ${c.database.dir}`}`,
    `cache      ${c.redis ? `Redis ${withoutPassword(c.redis.url)}` : "in-memory (embedded)"}`,
    `queue      ${c.redis ? "BullMQ on Redis" : "in the database (embedded)"}`,
    `vectors    ${c.qdrant ? `Qdrant ${c.qdrant.url}` : "in-process index stored in the database (embedded)"}`,
    `embeddings ${c.openai.apiKey ? `OpenAI ${c.openai.embeddingModel}` : "local hashing embedder (embedded)"}`,
    `generator  ${c.openai.apiKey ? `OpenAI ${c.openai.model}${c.openai.baseUrl ? ` at ${c.openai.baseUrl}` : ""}` : "offline outline composer (no OPENAI_API_KEY)"}`,
    `slack      ${c.slack ? (c.slack.appToken ? "Socket Mode" : "HTTP events at POST /slack/events") : "off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET)"}`,
    `line       ${c.line ? "webhook at POST /line/webhook" : "off (set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN)"}`,
    `quotas     daily reset at midnight ${c.quotaTimeZone}`,
    `caps       ${describeCaps(c.caps)}`,
    `alerts     email ${c.smtp ? `through ${withoutPassword(c.smtp.url)}` : "off (set SMTP_URL)"}; Slack webhook as set in the console`,
    `quality    checks on every draft; judge ${c.quality.judgeModel ? `${c.quality.judgeModel} on ${Math.round(c.quality.judgeSampleRate * 100)} % of drafts` : "off (set QUALITY_JUDGE_MODEL)"}`,
  ];
}

function describeCaps(c: CapDefaults): string {
  const parts = [
    c.tenantDailyArticles !== null && `${c.tenantDailyArticles} articles/day per workspace`,
    c.tenantMonthlyBudgetUsd !== null && `$${c.tenantMonthlyBudgetUsd}/month per workspace`,
    c.overallDailySpendUsd !== null && `$${c.overallDailySpendUsd}/day overall`,
    c.overallMonthlyBudgetUsd !== null && `$${c.overallMonthlyBudgetUsd}/month overall`,
  ].filter(Boolean);
  return parts.length
    ? `${parts.join(", ")} (console values win)`
    : "none by default (set them in the console)";
}
