import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../core/db/client.ts";
import type { ArticleRequest } from "../../core/domain.ts";
import { purgeExpired } from "../../core/housekeeping.ts";
import { createGeneration } from "../../core/records/generations.ts";
import { type OpenedTestDatabase, openTestDatabase } from "../helpers/services.ts";

let opened: OpenedTestDatabase;
let db: Database;
const NOW = new Date("2026-11-26T12:00:00Z");
const request: ArticleRequest = {
  topic: "ports",
  industry: null,
  audience: "executives",
  targetWords: 600,
  keywords: [],
  language: "en",
  tone: "executive",
};

beforeAll(async () => {
  opened = await openTestDatabase("pglite");
  db = opened.db;
  await db.migrate();
});
afterAll(async () => opened?.cleanup());

async function queued(key: string, hoursAgo: number): Promise<string> {
  const tier = await db.prisma.tier.upsert({
    where: { name: "T" },
    create: { name: "T", burstPerMinute: 10, maxWords: 800 },
    update: {},
  });
  const tenant = await db.prisma.tenant.upsert({
    where: { platform_externalId: { platform: "SLACK", externalId: "T1" } },
    create: { platform: "SLACK", externalId: "T1", defaultTierId: tier.id },
    update: {},
  });
  const requester = await db.prisma.requester.upsert({
    where: { tenantId_externalId: { tenantId: tenant.id, externalId: "U1" } },
    create: { tenantId: tenant.id, platform: "SLACK", externalId: "U1" },
    update: {},
  });
  const { id } = await createGeneration(db, {
    requestKey: key,
    tenantId: tenant.id,
    requesterId: requester.id,
    platform: "SLACK",
    request,
    day: new Date("2026-11-26T00:00:00Z"),
  });
  await db.prisma.generation.update({
    where: { id },
    data: { createdAt: new Date(NOW.getTime() - hoursAgo * 3_600_000) },
  });
  return id;
}

describe("housekeeping", () => {
  it("fails generations that never got a job, and only those", async () => {
    const orphan = await queued("SLACK:old", 7);
    const waiting = await queued("SLACK:recent", 1);
    const report = await purgeExpired(db, NOW);
    expect(report.orphansFailed).toBe(1);
    expect((await db.prisma.generation.findUniqueOrThrow({ where: { id: orphan } })).errorCode).toBe(
      "abandoned",
    );
    expect((await db.prisma.generation.findUniqueOrThrow({ where: { id: waiting } })).status).toBe("QUEUED");
    expect((await purgeExpired(db, NOW)).orphansFailed).toBe(0);
  });
});
