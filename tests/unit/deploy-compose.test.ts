import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseYAML } from "confbox";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, loadConfig, partProblems } from "../../core/config.ts";
import { ROOT } from "../helpers/process.ts";

/**
 * docker-compose.yml cannot be run here (no Docker engine on these machines), so what can be
 * known without one is checked: the services and their wiring, that the app containers get
 * only variables of the configuration contract and that loadConfig accepts what they get,
 * that ports, mounts and scrape targets agree with each other.
 */

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
  depends_on?: Record<string, unknown> | string[];
  healthcheck?: { test: string[] };
}
const compose = parseYAML<{ services: Record<string, Service>; volumes: Record<string, unknown> }>(
  readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8"),
);
const services = compose.services;
const APP = ["bot", "worker", "admin"] as const;

/** What a variable's value becomes with an empty .env, except the variables .env must set. */
const DOT_ENV: Record<string, string> = {
  SESSION_SECRET: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  GRAFANA_ADMIN_PASSWORD: "a-grafana-password",
  POSTGRES_PASSWORD: "a-database-password",
};
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    if (name in DOT_ENV) return DOT_ENV[name]!;
    if (op === "?") throw new Error(`${name} is required by docker-compose.yml but not in this test's .env`);
    return op === "-" ? (arg ?? "") : "";
  });
}
const envOf = (name: string) =>
  Object.fromEntries(
    Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]),
  );

function hostPorts(): string[] {
  return Object.values(services)
    .flatMap((s) => (s.ports ?? []).map((p) => String(p).split(":").slice(0, -1).join(":")))
    .filter(Boolean);
}

describe("docker-compose.yml", () => {
  it("has every part of the stack", () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        "postgres",
        "redis",
        "qdrant",
        "bot",
        "worker",
        "admin",
        "prometheus",
        "grafana",
      ]),
    );
  });

  it("runs two bot replicas behind one published port", () => {
    expect(services.bot!.deploy?.replicas).toBe(2);
    // Replicas cannot share a host port: the bot publishes none, the proxy publishes one.
    expect(services.bot!.ports ?? []).toEqual([]);
    const proxy = services.proxy!;
    expect(proxy.ports).toEqual(["3000:80"]);
    const [mount] = proxy.volumes!;
    const conf = readFileSync(path.join(ROOT, mount!.split(":")[0]!), "utf8");
    expect(mount!.split(":")[1]).toBe("/etc/nginx/conf.d/default.conf");
    expect(conf).toMatch(new RegExp(`http://bot:${envOf("bot").PORT}\\b`));
    expect(conf).toMatch(/location = \/metrics \{ return 404; \}/); // scraped per replica, not public
  });

  it("publishes no host port twice", () => {
    const ports = hostPorts();
    expect(new Set(ports).size).toBe(ports.length);
  });

  it("runs each part from the one image with node dist/main.js <part>, never npm start", () => {
    const dockerfile = readFileSync(path.join(ROOT, "deploy/Dockerfile"), "utf8");
    for (const part of APP) {
      const s = services[part]!;
      expect(s.build, part).toEqual({ context: ".", dockerfile: "deploy/Dockerfile" });
      expect(existsSync(path.join(ROOT, s.build!.dockerfile))).toBe(true);
      expect(s.command, part).toEqual(["node", "dist/main.js", part]);
    }
    // The image's CMD is the same command (for the bot), and the image holds the dist/ it names
    // (tests/unit/deploy-dockerfile.test.ts checks what dist/ needs beside it).
    expect(dockerfile).toContain('CMD ["node", "dist/main.js", "bot"]');
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
  });

  it("gives the app containers only variables of the configuration contract, and valid ones", () => {
    for (const part of APP) {
      const env = envOf(part);
      expect(
        Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k)),
        part,
      ).toEqual([]);
      const config = loadConfig(env);
      expect(config.database.kind, part).toBe("postgres");
      expect(config.redis, part).toEqual({ url: "redis://redis:6379" });
      expect(config.qdrant?.url, part).toBe("http://qdrant:6333");
      expect(config.http.host, part).toBe("0.0.0.0");
      expect(config.nodeEnv, part).toBe("production");
      expect(partProblems(config, [part]), part).toEqual([]);
    }
    // DATABASE_URL points at the postgres service's own database and user.
    const pg = envOf("postgres");
    expect(envOf("bot").DATABASE_URL).toBe(
      `postgresql://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`,
    );
  });

  it("lets Prometheus scrape every bot and worker replica where they serve /metrics", () => {
    const prom = parseYAML<{
      rule_files: string[];
      scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[] }[];
    }>(readFileSync(path.join(ROOT, "deploy/prometheus/prometheus.yml"), "utf8"));
    const job = (name: string) => prom.scrape_configs.find((j) => j.job_name === name)?.dns_sd_configs?.[0];
    expect(job("article-bot")).toMatchObject({ names: ["bot"], port: Number(envOf("bot").PORT) });
    expect(job("article-worker")).toMatchObject({
      names: ["worker"],
      port: loadConfig(envOf("worker")).metrics?.port,
    });
    expect(loadConfig(envOf("bot")).metrics).toBeNull(); // the bot serves /metrics on PORT

    const mounts = services.prometheus!.volumes!.map((v) => v.split(":"));
    const mounted = (target: string) => mounts.find(([, t]) => t === target)?.[0];
    expect(mounted("/etc/prometheus/prometheus.yml")).toBe("./deploy/prometheus/prometheus.yml");
    for (const file of prom.rule_files)
      expect(mounted(path.posix.join("/etc/prometheus", file)), file).toBe(`./deploy/prometheus/${file}`);
  });

  it("gives Grafana the provisioning and the dashboard where the provider looks", () => {
    const mounts = services.grafana!.volumes!.map((v) => v.split(":"));
    const provisioning = mounts.find(([, t]) => t === "/etc/grafana/provisioning");
    expect(provisioning?.[0]).toBe("./deploy/grafana/provisioning");
    const provider = parseYAML<{ providers: { type: string; options: { path: string } }[] }>(
      readFileSync(path.join(ROOT, "deploy/grafana/provisioning/dashboards/article-bot.yml"), "utf8"),
    ).providers[0]!;
    const dashboard = mounts.find(([source]) => source === "./deploy/grafana/dashboard.json");
    expect(path.posix.dirname(dashboard![1]!)).toBe(provider.options.path);
    expect(services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH).toBe(dashboard![1]);
    expect(hostPorts()).toContain("3002");
  });

  it("checks the health of every long-running app container on an endpoint it serves", () => {
    // The bot inherits the image's HEALTHCHECK on PORT/healthz; the others have their own.
    expect(readFileSync(path.join(ROOT, "deploy/Dockerfile"), "utf8")).toMatch(
      /HEALTHCHECK[\s\S]*process\.env\.PORT[\s\S]*\/healthz/,
    );
    expect(services.worker!.healthcheck?.test.join(" ")).toMatch(/METRICS_PORT.*\/healthz/);
    expect(services.admin!.healthcheck?.test.join(" ")).toMatch(/ADMIN_PORT.*\/login/);
    for (const store of ["postgres", "redis"]) expect(services[store]!.healthcheck, store).toBeTruthy();
  });

  it("publishes the console and Prometheus (plain HTTP, and no sign-in at all) on loopback only", () => {
    expect(services.admin!.ports).toEqual(["127.0.0.1:3001:3001"]);
    expect(services.prometheus!.ports).toEqual(["127.0.0.1:9090:9090"]);
    // Only the proxy (webhooks, which are signed) and Grafana (its own sign-in) face the network.
    const open = Object.entries(services)
      .filter(([, s]) => (s.ports ?? []).some((p) => !String(p).startsWith("127.0.0.1:")))
      .map(([name]) => name);
    expect(open.sort()).toEqual(["grafana", "proxy"]);
  });

  it("has no default for the database password: compose refuses to start without one", () => {
    const raw = (name: string, key: string) => String(services[name]!.environment![key]);
    expect(raw("postgres", "POSTGRES_PASSWORD")).toMatch(/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/);
    for (const part of APP)
      expect(raw(part, "DATABASE_URL"), part).toMatch(/:\$\{POSTGRES_PASSWORD:\?[^}]+\}@/);
    const file = readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8");
    expect(file).not.toMatch(/POSTGRES_PASSWORD:-/);
  });

  it("gives each service only its own variables", () => {
    const keys = (name: string) => Object.keys(services[name]!.environment ?? {});
    const CONSOLE_ONLY = ["SESSION_SECRET", "ADMIN_EMAIL", "ADMIN_PASSWORD", "ADMIN_PORT", "TRUST_PROXY"];
    const CHAT = [
      "SLACK_BOT_TOKEN",
      "SLACK_SIGNING_SECRET",
      "SLACK_APP_TOKEN",
      "LINE_CHANNEL_SECRET",
      "LINE_CHANNEL_ACCESS_TOKEN",
    ];
    expect(keys("admin")).toEqual(expect.arrayContaining(CONSOLE_ONLY));
    for (const name of ["bot", "worker"]) {
      expect(
        keys(name).filter((k) => CONSOLE_ONLY.includes(k)),
        name,
      ).toEqual([]);
      expect(keys(name), name).toEqual(expect.arrayContaining(CHAT));
    }
    expect(keys("admin").filter((k) => CHAT.includes(k))).toEqual([]);
    expect(keys("bot")).not.toContain("METRICS_PORT");
    expect(keys("admin")).not.toContain("METRICS_PORT");
    // No app secret reaches the stores, the proxy or the dashboards.
    const APP_SECRETS = [...CONSOLE_ONLY, ...CHAT, "OPENAI_API_KEY", "DATABASE_URL"];
    for (const name of ["postgres", "redis", "qdrant", "proxy", "prometheus", "grafana"])
      expect(
        keys(name).filter((k) => APP_SECRETS.includes(k)),
        name,
      ).toEqual([]);
  });

  it("keeps state in named volumes", () => {
    for (const [name, target] of [
      ["postgres", "/var/lib/postgresql/data"],
      ["redis", "/data"],
      ["qdrant", "/qdrant/storage"],
      ["prometheus", "/prometheus"],
      ["grafana", "/var/lib/grafana"],
    ]) {
      const volume = services[name!]!.volumes!.map((v) => v.split(":")).find(([, t]) => t === target)?.[0];
      expect(volume && volume in compose.volumes, `${name} ${target}`).toBe(true);
    }
  });
});
