import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../core/db/client.ts";
import { DatabaseInbox } from "../../core/inbox/database.ts";
import type { Inbox, InboxEntry, InboxOptions } from "../../core/inbox/inbox.ts";
import { MemoryInbox } from "../../core/inbox/memory.ts";
import { StreamInbox } from "../../core/inbox/redis-stream.ts";
import { createLogger } from "../../core/logger.ts";
import { connectRedis, type Redis } from "../../core/redis.ts";
import { REDIS_URL } from "../helpers/services.ts";
import { until } from "../helpers/wait.ts";

/** One suite over every inbox: what was put is handled once, in hand work finishes on close. */
const logger = createLogger("silent");
const options = (o: Partial<InboxOptions> = {}): InboxOptions => ({
  concurrency: 2,
  busyPerSecond: 1_000,
  maxWaiting: 100,
  reclaimAfterMs: 300,
  ...o,
});

let dir: string;
let db: Database;
let redis: Redis;
const keys: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "ab-inbox-"));
  db = await openDatabase({ database: { kind: "pglite", dir: path.join(dir, "pglite") } });
  await db.migrate();
  redis = connectRedis(REDIS_URL);
  await redis.connect();
});
const inboxes: Inbox[] = [];
afterEach(async () => {
  await Promise.all(inboxes.splice(0).map((i) => i.close()));
});
afterAll(async () => {
  if (keys.length) await redis?.del(...keys);
  redis?.disconnect();
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Maker = (name: string, o?: Partial<InboxOptions>) => Inbox;
const makers: Record<string, Maker> = {
  "redis stream": (name, o) => {
    keys.push(`ab:test:${name}`);
    return new StreamInbox({
      redis,
      url: REDIS_URL,
      key: `ab:test:${name}`,
      group: "bot",
      logger,
      ...options(o),
    });
  },
  database: (name, o) =>
    new DatabaseInbox({ db, name, logger, exclusive: false, pollMs: 100, ...options(o) }),
  memory: (_name, o) => new MemoryInbox(options(o)),
};

describe.each(Object.keys(makers))("%s inbox", (kind) => {
  const make: Maker = (name, o) => {
    const inbox = makers[kind]!(name, o);
    inboxes.push(inbox);
    return inbox;
  };
  const name = () => `inbox-${randomBytes(4).toString("hex")}`;

  it("hands each entry over once, payload and receipt time as put", async () => {
    const inbox = make(name());
    const seen: InboxEntry[] = [];
    inbox.start(async (e) => void seen.push(e));
    const entries = [1, 2, 3].map((n) => ({
      payload: `{"n":${n},"text":"ไทย"}`,
      receivedAt: 1_700_000_000_000 + n,
    }));
    for (const e of entries) expect(await inbox.put(e)).toBe(true);
    await until("seen.length === 3", () => seen.length === 3);
    await new Promise((r) => setTimeout(r, 400)); // longer than a lease: nothing comes back
    expect(seen.sort((a, b) => a.receivedAt - b.receivedAt)).toEqual(entries);
  });

  it("does not hand over again an entry whose handler threw", async () => {
    const inbox = make(name());
    let calls = 0;
    inbox.start(async () => {
      calls += 1;
      throw new Error("boom");
    });
    await inbox.put({ payload: "x", receivedAt: Date.now() });
    await until("calls === 1", () => calls === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect(calls).toBe(1);
  });

  it("says it is full before anything is put, exactly when put would answer false", async () => {
    const none = make(name(), { maxWaiting: 0 });
    expect(none.full()).toBe(true);
    expect(await none.put({ payload: "x", receivedAt: 1 })).toBe(false);
    expect(make(name(), { maxWaiting: 1 }).full()).toBe(false);
  });

  it("finishes the entries in hand before close resolves", async () => {
    const inbox = make(name());
    let started = 0;
    let finished = 0;
    inbox.start(async () => {
      started += 1;
      await new Promise((r) => setTimeout(r, 300));
      finished += 1;
    });
    await inbox.put({ payload: "slow", receivedAt: Date.now() });
    await until("started === 1", () => started === 1);
    inboxes.splice(inboxes.indexOf(inbox), 1);
    await inbox.close();
    expect(finished).toBe(1);
  });
});

describe.each(["redis stream", "database"])("%s inbox when a process dies holding an entry", (kind) => {
  it("lets another reader handle it once the lease runs out", async () => {
    const shared = `dying-${randomBytes(4).toString("hex")}`;
    const dying = makers[kind]!(shared);
    let taken = false;
    dying.start(() => ((taken = true), new Promise<void>(() => undefined))); // takes it, never finishes
    expect(await dying.put({ payload: "orphan", receivedAt: 42 })).toBe(true);
    await until("taken", () => taken);
    void dying.close(); // stops reading; the entry stays taken, as after a crash

    const survivor = makers[kind]!(shared);
    inboxes.push(survivor);
    const seen: InboxEntry[] = [];
    survivor.start(async (e) => void seen.push(e));
    await until("seen.length === 1", () => seen.length === 1);
    expect(seen).toEqual([{ payload: "orphan", receivedAt: 42 }]);
  });
});

describe("database inbox at an exclusive start (embedded)", () => {
  it("takes back at once what the last process held, however long its lease", async () => {
    await db.prisma.inboxEntry.create({
      data: {
        inbox: "line-restart",
        payload: "held by the dead",
        receivedAt: new Date(7),
        lockedBy: "a process that died",
        lockedUntil: new Date(Date.now() + 3_600_000),
      },
    });
    const inbox = new DatabaseInbox({ db, name: "line-restart", logger, exclusive: true, ...options() });
    inboxes.push(inbox);
    const seen: InboxEntry[] = [];
    inbox.start(async (e) => void seen.push(e));
    await until("seen.length === 1", () => seen.length === 1);
    expect(seen).toEqual([{ payload: "held by the dead", receivedAt: 7 }]);
    expect(await db.prisma.inboxEntry.count({ where: { inbox: "line-restart" } })).toBe(0);
  });

  it("answers false when full, so the webhook can answer 503", async () => {
    const inbox = new DatabaseInbox({
      db,
      name: "full",
      logger,
      exclusive: false,
      ...options({ maxWaiting: 2 }),
    });
    inboxes.push(inbox);
    expect(await inbox.put({ payload: "1", receivedAt: 1 })).toBe(true);
    expect(await inbox.put({ payload: "2", receivedAt: 2 })).toBe(true);
    expect(await inbox.put({ payload: "3", receivedAt: 3 })).toBe(false);
  });
});
