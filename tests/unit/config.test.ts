import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, describeConfig, loadConfig, partProblems } from "../../core/config.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("selects every embedded implementation when no service is configured", () => {
    const config = loadConfig({ DATA_DIR: "/tmp/ab-data" });
    expect(config.database).toEqual({ kind: "pglite", dir: "/tmp/ab-data/pglite" });
    expect(config.redis).toBeNull();
    expect(config.qdrant).toBeNull();
    expect(config.slack).toBeNull();
    expect(config.line).toBeNull();
    expect(config.openai.apiKey).toBeUndefined();
    expect(config.http.port).toBe(3000);
    expect(config.admin.port).toBe(3001);
    expect(config.quotaTimeZone).toBe("Asia/Bangkok");
    expect(describeConfig(config).join("\n")).toContain("offline outline composer");
  });

  it("selects the production services when their URLs are set", () => {
    const config = loadConfig({
      DATABASE_URL: "postgresql://bot:s3cret@db:5432/articlebot",
      REDIS_URL: "redis://cache:6379",
      QDRANT_URL: "http://qdrant:6333",
      OPENAI_API_KEY: "sk-test",
      OPENAI_MODEL: "ft:gpt-4o-mini:acme::abc123",
      SLACK_BOT_TOKEN: "xoxb-1-2",
      SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5".replace(/[yz]/g, "0"),
      TZ_QUOTA: "UTC",
    });
    expect(config.database).toEqual({
      kind: "postgres",
      url: "postgresql://bot:s3cret@db:5432/articlebot",
      poolSize: 10,
    });
    expect(config.redis).toEqual({ url: "redis://cache:6379" });
    expect(config.openai.model).toBe("ft:gpt-4o-mini:acme::abc123");
    expect(config.slack?.botToken).toBe("xoxb-1-2");
    const described = describeConfig(config).join("\n");
    expect(described).not.toContain("s3cret");
    expect(described).toContain("HTTP events at POST /slack/events");
  });

  it("never echoes a password inside a rejected URL", () => {
    const [problem] = problemsOf({ DATABASE_URL: "mysql://bot:hunter2@db/x" });
    expect(problem).not.toContain("hunter2");
    expect(problem).toContain("mysql://bot:***@db/x");
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", REDIS_URL: " ", PORT: "" }).database.kind).toBe("pglite");
  });

  it.each([
    ["DATABASE_URL", "mysql://db/x", "DATABASE_URL must be a URL starting with postgres:// or postgresql://"],
    ["DATABASE_URL", "not a url", "DATABASE_URL must be a URL starting with postgres://"],
    ["REDIS_URL", "http://cache:6379", "REDIS_URL must be a URL starting with redis:// or rediss://"],
    ["QDRANT_URL", "qdrant:6333", "QDRANT_URL must be a URL starting with http:// or https://"],
    ["OPENAI_BASE_URL", "localhost:8080/v1", "OPENAI_BASE_URL must be a URL starting with http://"],
    ["OPENAI_MODEL", "gpt 4o", "OPENAI_MODEL must be a model id"],
    ["SLACK_API_URL", "slack.com/api", "SLACK_API_URL must be a URL"],
    ["LINE_API_BASE_URL", "ftp://line", "LINE_API_BASE_URL must be a URL"],
    ["PORT", "http", "PORT must be a whole number between 0 and 65535"],
    ["PORT", "70000", "PORT must be a whole number between 0 and 65535"],
    ["ADMIN_PORT", "-1", "ADMIN_PORT must be a whole number between 0 and 65535"],
    ["TZ_QUOTA", "Mars/Olympus", "TZ_QUOTA must be an IANA time zone name"],
    ["ADMIN_EMAIL", "admin", "ADMIN_EMAIL must be an email address"],
    ["LOG_LEVEL", "loud", "LOG_LEVEL must be one of"],
    ["NODE_ENV", "staging", 'NODE_ENV must be "development", "production" or "test"'],
  ])("rejects %s=%s with a line naming the variable", (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
    expect(problems[0]).toContain(`(got "${value}")`);
  });

  it.each([
    [
      "SLACK_BOT_TOKEN",
      { SLACK_BOT_TOKEN: "abc", SLACK_SIGNING_SECRET: "0123456789abcdef" },
      'must be a Slack bot token (starts with "xoxb-")',
    ],
    [
      "SLACK_APP_TOKEN",
      { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xoxb-2" },
      'must be a Slack app-level token (starts with "xapp-")',
    ],
    [
      "SLACK_SIGNING_SECRET",
      { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "not hex!" },
      "must be the app's signing secret",
    ],
    [
      "LINE_CHANNEL_SECRET",
      { LINE_CHANNEL_SECRET: "zz", LINE_CHANNEL_ACCESS_TOKEN: "t" },
      "must be the channel secret",
    ],
    ["ADMIN_PASSWORD", { ADMIN_EMAIL: "a@b.co", ADMIN_PASSWORD: "short" }, "must be at least 12 characters"],
    ["SESSION_SECRET", { SESSION_SECRET: "short" }, "must be at least 32 characters"],
  ])("rejects a malformed %s without echoing the secret", (name, env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
    expect(problems[0]).toContain(message);
    expect(problems[0]).toContain('(got "…")');
  });

  it.each([
    [{ SLACK_BOT_TOKEN: "xoxb-1" }, "SLACK_SIGNING_SECRET must be set when SLACK_BOT_TOKEN is set"],
    [{ SLACK_SIGNING_SECRET: "0123456789abcdef" }, "SLACK_BOT_TOKEN must be set when"],
    [
      { LINE_CHANNEL_SECRET: "0123456789abcdef" },
      "LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN must be set together",
    ],
    [{ ADMIN_PASSWORD: "long enough password" }, "ADMIN_EMAIL must be set when ADMIN_PASSWORD is set"],
    [{ PORT: "8080", ADMIN_PORT: "8080" }, "ADMIN_PORT must differ from PORT"],
  ])("rejects settings that only work together: %o", (env, message) => {
    expect(problemsOf(env as Record<string, string>)).toEqual([expect.stringContaining(message)]);
  });

  it("asks for SESSION_SECRET in production only of a process that runs the console", () => {
    const production = loadConfig({ NODE_ENV: "production" });
    expect(partProblems(production, ["bot", "worker"])).toEqual([]);
    expect(partProblems(production, ["admin"])).toEqual([
      "SESSION_SECRET must be set when NODE_ENV=production (at least 32 characters)",
    ]);
    expect(partProblems(production, ["bot", "worker", "admin"])).toHaveLength(1);
    expect(partProblems(loadConfig({}), ["admin"])).toEqual([]);
    const secret = "0123456789abcdef0123456789abcdef";
    expect(partProblems(loadConfig({ NODE_ENV: "production", SESSION_SECRET: secret }), ["admin"])).toEqual(
      [],
    );
  });

  it("reads the first admin's password from ADMIN_PASSWORD_FILE (a container secret)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ab-secret-"));
    const file = path.join(dir, "admin_password");
    writeFileSync(file, "a long secret password\n");
    const config = loadConfig({ ADMIN_EMAIL: "ops@example.com", ADMIN_PASSWORD_FILE: file });
    expect(config.admin.password).toBe("a long secret password");
    expect(problemsOf({ ADMIN_PASSWORD_FILE: file, ADMIN_PASSWORD: "another long password" })).toEqual([
      "set ADMIN_PASSWORD or ADMIN_PASSWORD_FILE, not both",
    ]);
    expect(
      problemsOf({ ADMIN_EMAIL: "ops@example.com", ADMIN_PASSWORD_FILE: path.join(dir, "missing") }),
    ).toEqual([`ADMIN_PASSWORD_FILE cannot be read (${path.join(dir, "missing")})`]);
    writeFileSync(file, "short\n");
    expect(problemsOf({ ADMIN_EMAIL: "ops@example.com", ADMIN_PASSWORD_FILE: file })).toEqual([
      "ADMIN_PASSWORD must be at least 12 characters",
    ]);
    rmSync(dir, { recursive: true });
  });

  it("accepts Socket Mode without a signing secret", () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }).slack?.appToken).toBe(
      "xapp-1",
    );
  });

  it("sizes the database pool for the worker's concurrency unless DATABASE_POOL_SIZE says", () => {
    const url = "postgresql://db/x";
    const pool = (env: Record<string, string>) => {
      const { database } = loadConfig({ DATABASE_URL: url, ...env });
      return database.kind === "postgres" ? database.poolSize : undefined;
    };
    expect(loadConfig({}).worker.concurrency).toBe(128);
    expect(pool({})).toBe(10);
    expect(pool({ WORKER_CONCURRENCY: "500" })).toBe(20);
    expect(pool({ WORKER_CONCURRENCY: "5000" })).toBe(40);
    expect(pool({ WORKER_CONCURRENCY: "5000", DATABASE_POOL_SIZE: "64" })).toBe(64);
    expect(
      problemsOf({ DATABASE_POOL_SIZE: "0", WORKER_CONCURRENCY: "many" })
        .map((p) => p.split(" ")[0])
        .sort(),
    ).toEqual(["DATABASE_POOL_SIZE", "WORKER_CONCURRENCY"]);
  });

  it("reports every bad variable at once", () => {
    expect(
      problemsOf({ PORT: "x", REDIS_URL: "nope" })
        .map((p) => p.split(" ")[0])
        .sort(),
    ).toEqual(["PORT", "REDIS_URL"]);
  });
});
