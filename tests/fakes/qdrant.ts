import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local Qdrant for tests: the REST calls `@qdrant/js-client-rest` 1.17 makes for the project's
 * vector store, answered in Qdrant's envelope (`{ result, status: "ok", time }`, errors as
 * `{ status: { error }, time }`), with real cosine scoring (vectors normalised on upsert, as Qdrant
 * does for Cosine) and real filter matching. Qdrant itself cannot run on these machines.
 *
 *   GET    /                                  version (the client's compatibility check)
 *   GET    /collections/{c}/exists            PUT /collections/{c}        GET|DELETE /collections/{c}
 *   PUT    /collections/{c}/index             keyword payload index
 *   PUT    /collections/{c}/points            upsert (`?wait=true`)
 *   POST   /collections/{c}/points/delete     by ids or by filter
 *   POST   /collections/{c}/points/search     legacy search   POST /collections/{c}/points/query  universal query
 *   POST   /collections/{c}/points/count
 */

export interface RecordedQdrantRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export interface FakeQdrant {
  url: string;
  requests: RecordedQdrantRequest[];
  /** Answer the next `times` requests with this status and a Qdrant error body. */
  failNext(status: number, times?: number): void;
  /** Stored points of a collection (vectors as normalised), for assertions. */
  points(collection: string): { id: string | number; payload: Record<string, unknown> }[];
  close(): Promise<void>;
}

type Id = string | number;
interface Point {
  id: Id;
  vector: number[];
  payload: Record<string, unknown>;
  version: number;
}
interface Collection {
  size: number;
  distance: string;
  points: Map<string, Point>;
  schema: Map<string, string>;
  version: number;
}
type Condition = Record<string, unknown>;
interface Filter {
  must?: Condition | Condition[];
  should?: Condition | Condition[];
  must_not?: Condition | Condition[];
}

class QdrantError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export async function startFakeQdrant(opts: { apiKey?: string; port?: number } = {}): Promise<FakeQdrant> {
  const collections = new Map<string, Collection>();
  const requests: RecordedQdrantRequest[] = [];
  let failures: { status: number; times: number } | null = null;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const started = process.hrtime.bigint();
      const url = new URL(req.url ?? "/", "http://fake");
      const send = (status: number, body: object) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify({ ...body, time: Number(process.hrtime.bigint() - started) / 1e9 }));
      };
      let body: unknown;
      try {
        const raw = Buffer.concat(chunks).toString("utf8");
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        return send(400, {
          status: { error: "Format error in JSON body: expected value at line 1 column 1" },
        });
      }
      requests.push({
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
      });
      if (opts.apiKey && req.headers["api-key"] !== opts.apiKey)
        return send(401, { status: { error: "Must provide an API key or an Authorization bearer token" } });
      if (failures && failures.times-- > 0)
        return send(failures.status, {
          status: { error: `Service internal error: injected failure ${failures.status}` },
        });
      // The root answers with bare version info, outside the usual envelope (the client reads `.version`).
      if (req.method === "GET" && url.pathname === "/") return send(200, ROOT);
      try {
        send(200, {
          result: route(req.method ?? "", url.pathname, (body ?? {}) as Record<string, unknown>),
          status: "ok",
        });
      } catch (err) {
        if (err instanceof QdrantError) send(err.status, { status: { error: err.message } });
        else send(500, { status: { error: `Service internal error: ${(err as Error).message}` } });
      }
    });
  });

  function route(method: string, path: string, body: Record<string, unknown>): unknown {
    if (method === "GET" && path === "/collections")
      return { collections: [...collections.keys()].map((name) => ({ name })) };
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) throw new QdrantError(404, `Not found: ${path}`);
    const name = decodeURIComponent(m[1]!);
    const rest = m[2] ?? "";
    if (method === "GET" && rest === "/exists") return { exists: collections.has(name) };
    if (rest === "" && method === "PUT") return createCollection(name, body);
    if (rest === "" && method === "DELETE") return collections.delete(name);
    const c = collections.get(name);
    if (!c) throw new QdrantError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    const key = `${method} ${rest}`;
    switch (key) {
      case "GET ":
        return info(c);
      case "PUT /index": {
        const field = String(body.field_name ?? "");
        const schema =
          typeof body.field_schema === "string"
            ? body.field_schema
            : (body.field_schema as { type?: string } | undefined)?.type;
        if (!field || !schema)
          throw new QdrantError(
            400,
            "Format error in JSON body: missing field `field_name` or `field_schema`",
          );
        c.schema.set(field, schema);
        return { operation_id: ++c.version, status: "completed" };
      }
      case "PUT /points":
        return upsert(c, body);
      case "POST /points/delete": {
        const doomed = Array.isArray(body.points)
          ? (body.points as Id[]).map(idKey)
          : [...c.points.values()].filter((p) => matches(p, body.filter as Filter)).map((p) => idKey(p.id));
        if (!Array.isArray(body.points) && !body.filter)
          throw new QdrantError(400, "Format error in JSON body: expected `points` or `filter`");
        for (const k of doomed) c.points.delete(k);
        return { operation_id: ++c.version, status: "completed" };
      }
      case "POST /points/search":
        return nearest(c, body.vector, body);
      case "POST /points/query": {
        const q = body.query as unknown;
        const vector = Array.isArray(q) ? q : (q as { nearest?: unknown } | undefined)?.nearest;
        if (!Array.isArray(vector))
          throw new QdrantError(400, "Bad request: this fake answers nearest-vector queries only");
        return { points: nearest(c, vector, body) };
      }
      case "POST /points/count":
        return {
          count: [...c.points.values()].filter((p) => matches(p, body.filter as Filter | undefined)).length,
        };
      default:
        throw new QdrantError(404, `Not found: ${method} ${path}`);
    }
  }

  function createCollection(name: string, body: Record<string, unknown>): boolean {
    if (collections.has(name))
      throw new QdrantError(409, `Wrong input: Collection \`${name}\` already exists!`);
    const vectors = body.vectors as { size?: number; distance?: string } | undefined;
    if (!vectors?.size || !vectors.distance)
      throw new QdrantError(
        400,
        "Bad request: this fake supports one unnamed vector per point ({ size, distance })",
      );
    collections.set(name, {
      size: vectors.size,
      distance: vectors.distance,
      points: new Map(),
      schema: new Map(),
      version: 0,
    });
    return true;
  }

  function upsert(c: Collection, body: Record<string, unknown>) {
    const list = Array.isArray(body.points)
      ? (body.points as { id: Id; vector: unknown; payload?: Record<string, unknown> }[])
      : null;
    if (!list)
      throw new QdrantError(
        400,
        "Format error in JSON body: this fake accepts the `points` list form of upsert",
      );
    const version = ++c.version;
    const ready = list.map((p) => {
      validateId(p.id);
      if (!Array.isArray(p.vector) || p.vector.length !== c.size)
        throw new QdrantError(
          400,
          `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${Array.isArray(p.vector) ? p.vector.length : 0}`,
        );
      return {
        id: p.id,
        vector: c.distance === "Cosine" ? normalise(p.vector as number[]) : (p.vector as number[]),
        payload: p.payload ?? {},
        version,
      };
    });
    for (const p of ready) c.points.set(idKey(p.id), p); // all or nothing, as one operation
    return { operation_id: version, status: "completed" };
  }

  function nearest(c: Collection, raw: unknown, body: Record<string, unknown>) {
    if (!Array.isArray(raw) || raw.length !== c.size)
      throw new QdrantError(
        400,
        `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${Array.isArray(raw) ? raw.length : 0}`,
      );
    const q = c.distance === "Cosine" ? normalise(raw as number[]) : (raw as number[]);
    const limit = Number(body.limit ?? 10);
    const offset = Number(body.offset ?? 0);
    const threshold = typeof body.score_threshold === "number" ? body.score_threshold : -Infinity;
    // Qdrant's default is no payload; a list selects fields.
    const pick = (payload: Record<string, unknown>) =>
      Array.isArray(body.with_payload)
        ? Object.fromEntries(
            Object.entries(payload).filter(([k]) => (body.with_payload as string[]).includes(k)),
          )
        : body.with_payload
          ? payload
          : null;
    return [...c.points.values()]
      .filter((p) => matches(p, body.filter as Filter | undefined))
      .map((p) => ({ p, score: dot(q, p.vector) }))
      .filter(({ score }) => score >= threshold)
      .sort((a, b) => b.score - a.score)
      .slice(offset, offset + limit)
      .map(({ p, score }) => ({
        id: p.id,
        version: p.version,
        score,
        payload: pick(p.payload),
        vector: body.with_vector ? p.vector : null,
        shard_key: null,
        order_value: null,
      }));
  }

  function info(c: Collection) {
    const n = c.points.size;
    return {
      status: "green",
      optimizer_status: "ok",
      indexed_vectors_count: 0,
      points_count: n,
      segments_count: 1,
      config: {
        params: {
          vectors: { size: c.size, distance: c.distance },
          shard_number: 1,
          replication_factor: 1,
          write_consistency_factor: 1,
          on_disk_payload: true,
        },
        hnsw_config: {
          m: 16,
          ef_construct: 100,
          full_scan_threshold: 10000,
          max_indexing_threads: 0,
          on_disk: false,
        },
        optimizer_config: {
          deleted_threshold: 0.2,
          vacuum_min_vector_number: 1000,
          default_segment_number: 0,
          max_segment_size: null,
          memmap_threshold: null,
          indexing_threshold: 10000,
          flush_interval_sec: 5,
          max_optimization_threads: null,
        },
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
        quantization_config: null,
      },
      payload_schema: Object.fromEntries(
        [...c.schema].map(([field, type]) => [
          field,
          { data_type: type, points: [...c.points.values()].filter((p) => p.payload[field] != null).length },
        ]),
      ),
    };
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(status, times = 1) {
      failures = { status, times };
    },
    points: (collection) =>
      [...(collections.get(collection)?.points.values() ?? [])].map(({ id, payload }) => ({ id, payload })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ROOT = { title: "qdrant - vector search engine", version: "1.17.0", commit: "fake" };

function validateId(id: unknown): void {
  if (typeof id === "number" && Number.isInteger(id) && id >= 0) return;
  if (typeof id === "string" && UUID.test(id)) return;
  throw new QdrantError(
    400,
    `Format error in JSON body: value ${JSON.stringify(id)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  );
}

/** UUIDs compare in canonical form, as Qdrant parses them. */
function idKey(id: Id): string {
  return typeof id === "number" ? `n:${id}` : `u:${id.replace(/-/g, "").toLowerCase()}`;
}

function normalise(v: number[]): number[] {
  const n = Math.hypot(...v);
  return n ? v.map((x) => x / n) : v.slice();
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function list(c: Condition | Condition[] | undefined): Condition[] {
  return c === undefined || c === null ? [] : Array.isArray(c) ? c : [c];
}

/** Qdrant's filter semantics: all `must`, at least one `should` (when given), no `must_not`. */
function matches(p: Point, f: Filter | undefined | null): boolean {
  if (!f) return true;
  const must = list(f.must),
    should = list(f.should),
    mustNot = list(f.must_not);
  return (
    must.every((c) => condition(p, c)) &&
    (!should.length || should.some((c) => condition(p, c))) &&
    !mustNot.some((c) => condition(p, c))
  );
}

function condition(p: Point, c: Condition): boolean {
  if ("must" in c || "should" in c || "must_not" in c) return matches(p, c as Filter);
  if ("has_id" in c) return (c.has_id as Id[]).map(idKey).includes(idKey(p.id));
  if ("is_empty" in c) return empty(field(p, (c.is_empty as { key: string }).key));
  if ("is_null" in c) return field(p, (c.is_null as { key: string }).key) === null;
  const key = String(c.key);
  const values = [field(p, key)].flat().filter((v) => v !== undefined && v !== null);
  const match = c.match as { value?: unknown; any?: unknown[]; except?: unknown[] } | undefined;
  if (!match)
    throw new QdrantError(400, `Bad request: this fake supports match conditions only (key ${key})`);
  if ("value" in match) return values.some((v) => v === match.value);
  if ("any" in match) return values.some((v) => match.any!.includes(v));
  if ("except" in match) return !values.some((v) => match.except!.includes(v));
  throw new QdrantError(400, "Bad request: unsupported match");
}

function field(p: Point, key: string): unknown {
  return key
    .split(".")
    .reduce<unknown>(
      (o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
      p.payload,
    );
}

function empty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}
