/**
 * Counts what a process asks of PostgreSQL, for a benchmark's report: statements by kind
 * (verb and first table), and how long callers waited for a pooled connection. It wraps
 * node-postgres's prototypes, so it must be installed before the pool is created; only
 * benchmarks call it (`AB_E2E_DB_PROFILE=1 npm run load -- end-to-end`).
 */
import pg from "pg";

export interface DbProfile {
  statements: Map<string, number>;
  waits: number[];
  /** Connections held at once, at most. */
  peakHeld: number;
}

export function installDbProfile(): DbProfile {
  const profile: DbProfile = { statements: new Map(), waits: [], peakHeld: 0 };
  let held = 0;
  const query = pg.Client.prototype.query;
  // node-postgres's query has a dozen overloads; this only counts and forwards them.
  pg.Client.prototype.query = function (this: pg.Client, ...args: any[]): any {
    const first: unknown = args[0];
    const text =
      typeof first === "string"
        ? first
        : typeof first === "object" && first !== null && "text" in first
          ? String(first.text)
          : "";
    const key = statementKind(text);
    profile.statements.set(key, (profile.statements.get(key) ?? 0) + 1);
    return Reflect.apply(query, this, args);
  };
  const connect = pg.Pool.prototype.connect;
  // Forwards both the callback form (pool.query uses it) and the promise form.
  pg.Pool.prototype.connect = function (this: pg.Pool, ...args: any[]): any {
    const t0 = performance.now();
    const seen = (client: pg.PoolClient | undefined) => {
      profile.waits.push(performance.now() - t0);
      if (!client) return;
      held++;
      profile.peakHeld = Math.max(profile.peakHeld, held);
      const release = client.release.bind(client);
      client.release = (err?: Error | boolean) => {
        held--;
        client.release = release;
        return release(err);
      };
    };
    const cb: unknown = args[0];
    if (typeof cb === "function")
      return Reflect.apply(connect, this, [
        (err: Error | undefined, client: pg.PoolClient | undefined, done: unknown) => {
          seen(err ? undefined : client);
          return cb(err, client, done);
        },
      ]);
    const p: Promise<pg.PoolClient> = Reflect.apply(connect, this, []);
    return p.then((client) => {
      seen(client);
      return client;
    });
  };
  return profile;
}

function statementKind(sql: string): string {
  const s = sql.trim();
  const verb = /^\w+/.exec(s)?.[0]?.toUpperCase() ?? "?";
  if (verb === "BEGIN" || verb === "COMMIT" || verb === "ROLLBACK") return verb;
  const table =
    /\b(?:FROM|INTO|UPDATE)\s+(?:"public"\.)?"?(\w+)"?/i.exec(s)?.[1] ??
    /^WITH\b.*?\b(?:INTO|UPDATE)\s+"?(\w+)"?/is.exec(s)?.[1] ??
    "";
  return `${verb} ${table}`.trim();
}

export function describeDbProfile(p: DbProfile, drafts: number): string[] {
  const per = (n: number) => (drafts ? (n / drafts).toFixed(2) : "-");
  const sorted = [...p.waits].sort((a, b) => a - b);
  const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const total = [...p.statements.values()].reduce((a, b) => a + b, 0);
  return [
    `  database statements per delivered draft: ${per(total)} (${total} in all, ${drafts} drafts)`,
    ...[...p.statements.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `    ${per(n).padStart(6)}  ${k}`),
    `  waits for a pooled connection: ${sorted.length}, p50 ${pct(0.5).toFixed(1)} ms, p95 ${pct(0.95).toFixed(1)} ms, max ${pct(1).toFixed(1)} ms; held at once, peak ${p.peakHeld}`,
  ];
}
