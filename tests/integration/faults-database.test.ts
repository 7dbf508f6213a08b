import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../core/app.ts";
import { type Database, openDatabase } from "../../core/db/client.ts";
import { purgeExpired } from "../../core/housekeeping.ts";
import { type ChatRequest, createPipeline, type Pipeline } from "../../core/pipeline/index.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai.ts";
import { allRecorded } from "../helpers/generations.ts";
import { RecordingSinks } from "../helpers/recording-sink.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { openTestApp, type TestApp } from "../helpers/test-app.ts";

/**
 * PostgreSQL unreachable for a while (connections cut and refused through a proxy, so the
 * machine's shared server keeps running for everyone else): requests in that window are
 * refused (the platform turns the thrown error into a polite message) with no quota held and
 * no half-written rows; articles in progress retry and finish once; nothing crashes.
 */
let testApp: TestApp;
let direct: Database;
let proxy: TcpProxy;
let fake: FakeOpenAI;
let app: AppContext;
let pipeline: Pipeline;
const sinks = new RecordingSinks(1_200, { idempotent: true });

beforeAll(async () => {
  fake = await startFakeOpenAI({ firstTokenLatencyMs: 50, tokensPerSecond: 1_500 });
  // The app reaches PostgreSQL only through the proxy; the test checks through its own link.
  testApp = await openTestApp("ab_faults_db", async (database) => {
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    return { DATABASE_URL: url.toString(), OPENAI_API_KEY: fake.apiKey, OPENAI_BASE_URL: fake.url };
  });
  app = testApp.app;
  direct = await openDatabase({ database: { kind: "postgres", url: testApp.database.url } });
  pipeline = createPipeline(app, { workerConcurrency: 4, sinks: { CONSOLE: sinks.factory } });
  pipeline.startWorker();
});
afterAll(async () => {
  await pipeline?.close();
  await direct?.close();
  await testApp?.close();
  await proxy?.close();
  await fake?.close();
});

describe("PostgreSQL briefly unavailable", () => {
  it("refuses what it cannot record, finishes what it accepted once, and holds no quota for refusals", async () => {
    const accepted: string[] = [];
    const refused: string[] = [];
    let down = false;
    let duringOutage = 0;
    let recovered = false;
    const afterRecovery: string[] = [];
    const ask = async (i: number) => {
      if (down) duringOutage++;
      const late = recovered;
      const conversation = randomBytes(6).toString("hex");
      const req: ChatRequest = {
        platform: "CONSOLE",
        eventId: `ev-${conversation}`,
        tenant: { externalId: "db-fault" },
        requester: { externalId: `user-${i % 4}` },
        input: {
          kind: "text",
          text: `write an article about data resilience ${conversation} for executives, 400 words`,
        },
        destination: { platform: "CONSOLE", conversation },
      };
      try {
        expect((await pipeline.accept(req)).kind).toBe("queued");
        accepted.push(conversation);
        if (late) afterRecovery.push(conversation);
      } catch {
        refused.push(conversation);
      }
    };
    const load = (async () => {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < 70; i++) {
        inFlight.push(ask(i));
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(inFlight);
    })();
    await new Promise((r) => setTimeout(r, 500));
    proxy.down();
    down = true;
    await new Promise((r) => setTimeout(r, 1_500));
    proxy.up();
    down = false;
    await new Promise((r) => setTimeout(r, 300)); // the pool notices and reconnects
    recovered = true;
    await load;
    expect(duringOutage).toBeGreaterThan(0);
    expect(afterRecovery.length).toBeGreaterThan(0); // service came back without a restart

    const deadline = Date.now() + 90_000;
    while (!accepted.every((c) => sinks.ended(c))) {
      if (Date.now() > deadline)
        throw new Error(
          `not finished: ${accepted.filter((c) => !sinks.ended(c)).length} of ${accepted.length}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
    await allRecorded(direct);
    for (const c of accepted) {
      expect(
        sinks.of(c).filter((e) => e.type === "finish"),
        c,
      ).toHaveLength(1);
      const indexes = sinks.chunks(c).map((x) => x.index);
      expect(indexes).toEqual(indexes.map((_, i) => i));
      expect(
        (await direct.prisma.generation.findUniqueOrThrow({ where: { requestKey: `CONSOLE:ev-${c}` } }))
          .status,
      ).toBe("DELIVERED");
    }
    // A row whose INSERT committed as the connection died is left QUEUED with no job (the
    // client cannot know it committed); housekeeping fails such orphans, so none stays pending.
    await purgeExpired(direct, new Date(Date.now() + 7 * 3_600_000));
    for (const c of refused) {
      const g = await direct.prisma.generation.findUnique({ where: { requestKey: `CONSOLE:ev-${c}` } });
      expect(g === null || g.status === "FAILED", `refused ${c} left ${g?.status}`).toBe(true);
      expect(sinks.of(c)).toHaveLength(0);
    }
    // Quotas: exactly the delivered articles are counted; refusals hold nothing in flight.
    let used = 0;
    for (const r of await direct.prisma.requester.findMany({
      where: { tenant: { externalId: "db-fault" } },
      include: { tenant: { include: { defaultTier: true } } },
    }))
      used += (await pipeline.quotas.usage(r.id, r.tenant.defaultTier)).today.used;
    expect(used).toBe(accepted.length);
    console.info(
      `database outage: ${accepted.length + refused.length} requests, ${duringOutage} while down, ${accepted.length} delivered once, ${refused.length} refused, ${afterRecovery.length} accepted after recovery, ${sinks.repeats} chunk re-posts absorbed by the sink, 0 lost`,
    );
  });
});
