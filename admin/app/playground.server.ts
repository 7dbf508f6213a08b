import { randomBytes } from "node:crypto";
import { z } from "zod";
import { type Actor, recordAudit } from "../../core/admin/audit.ts";
import type { AppContext } from "../../core/app.ts";
import { conversationKey } from "../../core/conversation/keys.ts";
import type { RevisionsExhausted } from "../../core/conversation/revise.ts";
import { readConsoleDelivery } from "../../core/deliver/console-sink.ts";
import type { AcceptResult, Pipeline } from "../../core/pipeline/index.ts";
import type { QuotaExceeded } from "../../core/quota/quotas.ts";
import { readDeliveryState } from "../../core/records/draft-lookup.ts";
import { assignTier } from "../../core/records/requesters.ts";
import { dateTime } from "./lib/format.ts";
import { field } from "./lib/forms.server.ts";

/**
 * The playground asks for an article as a console requester: a real generation through the
 * pipeline (quota, cache, retrieval, model), delivered to the console sink, which keeps the
 * chunks on the generation row so this page (in whichever process) can show them as they land.
 */

export const PLAYGROUND_TENANT = { externalId: "console", name: "Console" };

export const PlaygroundSchema = z.object({
  requester: field.text("a requester name", 60),
  tierId: field.id("a tier"),
  text: field.text("what the article should be about", 2_000),
});

/** A stable external id for a requester name: "Ops Team" -> "playground:ops-team". */
export function playgroundExternalId(name: string): string {
  const slug = name
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  return `playground:${slug || "tester"}`;
}

export async function playgroundOptions(app: AppContext) {
  const p = app.db.prisma;
  const [tiers, requesters] = await Promise.all([
    p.tier.findMany({
      where: { retiredAt: null },
      orderBy: { name: "asc" },
      select: { id: true, name: true, dailyArticleLimit: true, maxWords: true },
    }),
    p.requester.findMany({
      where: { platform: "CONSOLE", externalId: { startsWith: "playground:" } },
      orderBy: { updatedAt: "desc" },
      take: 20,
      select: { displayName: true, tierId: true },
    }),
  ]);
  return { tiers, requesters: requesters.map((r) => ({ name: r.displayName, tierId: r.tierId })) };
}

export type PlaygroundOutcome =
  | { kind: "queued" | "duplicate"; generationId: string }
  | { kind: "refused" | "blocked" | "guidance"; message: string; examples?: string[] };

export async function requestArticle(
  app: AppContext,
  pipeline: Pipeline,
  actor: Actor,
  input: z.output<typeof PlaygroundSchema>,
): Promise<PlaygroundOutcome | { kind: "invalid"; field: string; message: string }> {
  const p = app.db.prisma;
  const tier = await p.tier.findUnique({ where: { id: input.tierId } });
  if (!tier || tier.retiredAt)
    return { kind: "invalid", field: "tierId", message: "Choose a tier that is not retired." };
  const externalId = playgroundExternalId(input.requester);
  // The console workspace and the requester exist before the request, on the chosen tier.
  await assignTier(
    app.db,
    {
      platform: "CONSOLE",
      tenant: PLAYGROUND_TENANT,
      requester: { externalId, displayName: input.requester },
    },
    tier.id,
  );

  const eventId = `playground-${randomBytes(8).toString("hex")}`;
  const result: AcceptResult = await pipeline.accept({
    platform: "CONSOLE",
    eventId,
    tenant: PLAYGROUND_TENANT,
    requester: { externalId, displayName: input.requester },
    input: { kind: "text", text: input.text },
    destination: { platform: "CONSOLE", conversation: eventId },
    // A draft of its own, so the playground can revise it as a chat would.
    conversationKey: conversationKey({ platform: "CONSOLE", id: eventId }),
  });
  await recordAudit(app.db, actor, {
    action: "playground.request",
    entityType: "Generation",
    entityId: "generationId" in result ? result.generationId : null,
    after: {
      requester: input.requester,
      tier: tier.name,
      text: input.text.slice(0, 300),
      result: result.kind,
    },
  });
  switch (result.kind) {
    case "queued":
    case "duplicate":
      return { kind: result.kind, generationId: result.generationId };
    case "guidance":
      return { kind: "guidance", message: result.guidance.message, examples: result.guidance.examples };
    case "blocked":
      return {
        kind: "blocked",
        message: `${input.requester} is blocked: the bot would refuse politely and write nothing.`,
      };
    case "refused":
      return { kind: "refused", message: refusalMessage(app, input.requester, result.refusal) };
  }
}

/** How the playground words a refusal: the limit, the use, and when it resets (quota time zone). */
function refusalMessage(app: AppContext, requester: string, r: QuotaExceeded | RevisionsExhausted): string {
  const money = (v: number) => `$${v.toFixed(2)}`;
  const what = {
    daily: `the daily limit of ${r.max} articles (${r.used} used)`,
    burst: `the burst limit of ${r.max} requests a minute`,
    revisions: `the ${r.max} revisions allowed per draft`,
    budget: `the monthly budget of ${money(r.max)} (${money(r.used)} used)`,
    workspace_daily: `the workspace's ${r.max} articles a day (${r.used} used)`,
    workspace_budget: `the workspace's monthly budget of ${money(r.max)} (${money(r.used)} used)`,
    overall_daily: `the overall daily spend cap of ${money(r.max)} (${money(r.used)} used)`,
    overall_budget: `the overall monthly budget of ${money(r.max)} (${money(r.used)} used)`,
  }[r.limit];
  const tz = app.config.quotaTimeZone;
  const resets = "resetsAt" in r ? ` It resets at ${dateTime(r.resetsAt, tz)} ${tz}.` : "";
  return `Refused by quota: ${requester} on ${r.tier} has reached ${what}.${resets}`;
}

export const ReviseSchema = z.object({
  generationId: field.id("the draft to revise"),
  instruction: field.text("what to change", 500),
});

/**
 * A revision instruction against the draft the playground just wrote ("make it shorter",
 * "translate to Thai"), through the same core path a chat message takes (pipeline.converse):
 * the draft's conversation, the same intents, the tier's revisions allowance and budget.
 */
export async function reviseDraft(
  app: AppContext,
  pipeline: Pipeline,
  actor: Actor,
  input: z.output<typeof ReviseSchema>,
): Promise<PlaygroundOutcome | { kind: "invalid"; field: string; message: string }> {
  const g = await app.db.prisma.generation.findUnique({
    where: { id: input.generationId },
    select: {
      platform: true,
      draftOf: { select: { conversationKey: true } },
      requester: { select: { externalId: true, displayName: true } },
    },
  });
  const key = g?.draftOf?.conversationKey;
  if (g?.platform !== "CONSOLE" || !key?.startsWith("console:"))
    return { kind: "invalid", field: "instruction", message: "Only a playground draft can be revised here." };
  const id = key.slice("console:".length);
  const result = await pipeline.converse({
    platform: "CONSOLE",
    eventId: `playground-${randomBytes(8).toString("hex")}`,
    tenant: PLAYGROUND_TENANT,
    requester: { externalId: g.requester.externalId, displayName: g.requester.displayName },
    conversation: { platform: "CONSOLE", id },
    input: { kind: "text", text: input.instruction },
    destination: { platform: "CONSOLE", conversation: id },
  });
  await recordAudit(app.db, actor, {
    action: "playground.revise",
    entityType: "Generation",
    entityId: "generationId" in result ? result.generationId : input.generationId,
    after: { revises: input.generationId, instruction: input.instruction.slice(0, 300), result: result.kind },
  });
  switch (result.kind) {
    case "queued":
    case "queued_revision":
    case "duplicate":
      return { kind: "queued", generationId: result.generationId };
    case "waiting":
      return { kind: "queued", generationId: result.of.generationId };
    case "refused":
      return { kind: "refused", message: refusalMessage(app, g.requester.displayName, result.refusal) };
    case "guidance":
    case "help":
      return { kind: "guidance", message: result.guidance.message, examples: result.guidance.examples };
    case "blocked":
      return {
        kind: "blocked",
        message: `${g.requester.displayName} is blocked: the bot would write nothing.`,
      };
    default:
      // Small talk, usage, stop, no draft: answered without the model, nothing new to show.
      return {
        kind: "guidance",
        message: `The bot answered without writing (${result.kind.replace("_", " ")}).`,
      };
  }
}

/**
 * Every version of the playground draft a generation belongs to, oldest first (v1, v2 "make it
 * shorter", ...), each as the thread shows it; just the one generation when it has no draft.
 */
export async function playgroundVersions(app: AppContext, id: string) {
  const g = await app.db.prisma.generation.findUnique({ where: { id }, select: { draftId: true } });
  const ids = g?.draftId
    ? (
        await app.db.prisma.generation.findMany({
          where: { draftId: g.draftId, platform: "CONSOLE" },
          orderBy: { createdAt: "asc" },
          select: { id: true },
          take: 50,
        })
      ).map((v) => v.id)
    : [id];
  const states = await Promise.all(ids.map((v) => playgroundState(app, v)));
  return states.filter((s): s is PlaygroundState => s !== null);
}

/** The generation as the playground shows it: chunks so far, and how it ended. */
export async function playgroundState(app: AppContext, id: string) {
  const g = await app.db.prisma.generation.findUnique({
    where: { id },
    select: {
      id: true,
      platform: true,
      status: true,
      topic: true,
      words: true,
      costUsd: true,
      latencyMs: true,
      firstChunkMs: true,
      cacheHit: true,
      errorCode: true,
      deliveryState: true,
      instruction: true,
      requester: { select: { displayName: true } },
    },
  });
  if (g?.platform !== "CONSOLE") return null;
  const delivery = readConsoleDelivery(readDeliveryState(g.deliveryState));
  const chunks = [...(delivery.chunks ?? [])].sort((a, b) => a.index - b.index);
  return {
    id: g.id,
    status: g.status,
    topic: g.topic,
    requester: g.requester.displayName,
    words: g.words,
    costUsd: g.costUsd.toString(),
    latencyMs: g.latencyMs,
    firstChunkMs: g.firstChunkMs,
    cacheHit: g.cacheHit || Boolean(delivery.cacheHit),
    errorCode: g.errorCode,
    instruction: g.instruction,
    chunks,
    finished: delivery.finished ?? null,
    failed: delivery.failed ?? null,
    done: g.status === "DELIVERED" || g.status === "FAILED" || g.status === "CANCELLED",
  };
}
export type PlaygroundState = NonNullable<Awaited<ReturnType<typeof playgroundState>>>;
