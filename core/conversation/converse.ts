import type { Database } from "../db/client.ts";
import type { Language } from "../domain.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { articleRequests } from "../metrics.ts";
import { type AcceptResult, acceptRequest, type ChatRequest, requestKey } from "../pipeline/accept.ts";
import type { Quotas } from "../quota/quotas.ts";
import type { Catalog } from "../records/catalog.ts";
import { type Guidance, guidance } from "../request/guidance.ts";
import {
  type ConversationState,
  type CurrentDraft,
  conversationState,
  draftOfGeneration,
  inFlight,
} from "./drafts.ts";
import { classifyIntent, type Intent, planRevision } from "./intent.ts";
import { type ConversationRef, conversationKey } from "./keys.ts";
import { type UsageNow, usageNow } from "./overview.ts";
import { acceptRevision, type RevisionAccepted } from "./revise.ts";
import type { StopSignals } from "./stop.ts";

/** A message in a conversation, as a platform hands it over (after acknowledging). */
export interface ConversationMessage extends Omit<ChatRequest, "input" | "conversationKey"> {
  conversation: ConversationRef;
  input:
    | ChatRequest["input"]
    /**
     * A button: Shorter and Another angle revise the version they sit under; Stop stops it;
     * Usage and Help (a menu's "My quota", "Help") are answered as the typed questions are.
     */
    | {
        kind: "action";
        action: "shorter" | "another_angle" | "stop" | "usage" | "help";
        generationId?: string;
        /** The language to answer a menu's Usage or Help in (they carry no text to read it from). */
        language?: Language;
      };
  botNames?: readonly string[];
}

export interface UsageAnswer extends UsageNow {
  /** Revisions of the current draft, when there is one. */
  revisions: { used: number; max: number } | null;
}

type Queued = Extract<AcceptResult, { kind: "queued" }>;

export type ConverseResult =
  | Queued
  | Extract<RevisionAccepted, { kind: "queued_revision" }>
  /** Queued behind another draft in this conversation: the platform posts a short notice. */
  | { kind: "waiting"; of: Queued | Extract<RevisionAccepted, { kind: "queued_revision" }>; ahead: number }
  | { kind: "small_talk"; language: Language }
  | ({ kind: "usage"; language: Language } & UsageAnswer)
  | { kind: "stopped"; language: Language; generationIds: string[] }
  | { kind: "help"; guidance: Guidance }
  | { kind: "no_draft"; language: Language }
  | Exclude<AcceptResult, { kind: "queued" | "refused" }>
  | Extract<RevisionAccepted, { kind: "refused" }>
  | Extract<AcceptResult, { kind: "refused" }>;

export interface ConverseDeps {
  db: Database;
  catalog: Catalog;
  quotas: Quotas;
  queue: JobQueue;
  stops: StopSignals;
  timeZone: string;
  defaultModel: string;
  lineWindowMs?: number;
}

/**
 * The one entry for a message in a conversation: decides what it is before any LLM call, then
 * queues a new draft or a revision (telling the caller when it waits its turn), stops what is
 * being written, or answers small talk, usage and help at once from copy and records.
 */
export async function converse(
  deps: ConverseDeps,
  msg: ConversationMessage,
  now = new Date(),
): Promise<ConverseResult> {
  const key = conversationKey(msg.conversation);
  const action = msg.input.kind === "action" ? msg.input : null;
  // Independent reads, at once: who is asking (with the catalog version, read together with a
  // new request's duplicate check and the overall limits), and the conversation's current draft
  // with what is being written in it (only a new request or a revision needs that count).
  const seen = deps.catalog.lookupEvent(requestKey(msg));
  const [who, state] = await Promise.all([
    seen.then((s) => deps.catalog.requester(s.version, msg)),
    action?.generationId !== undefined
      ? Promise.all([
          draftOfGeneration(deps.db, action.generationId).then((d) => onlyHere(d, key)),
          inFlight(deps.db, key),
        ]).then(([current, writing]): ConversationState => ({ current, ahead: writing.length }))
      : conversationState(deps.db, msg.conversation, { now, lineWindowMs: deps.lineWindowMs }),
  ]);
  const { current, ahead } = state;
  const intent = intentOf(msg, current);
  const count = <T>(result: T, outcome: string): T => {
    articleRequests.inc({ platform: msg.platform, outcome });
    return result;
  };
  if (who.blocked && intent.kind !== "new_request")
    return count({ kind: "blocked", language: intent.language }, "blocked");

  switch (intent.kind) {
    case "small_talk":
      return count({ kind: "small_talk", language: intent.language }, "small_talk");
    case "help":
      return count({ kind: "help", guidance: guidance("help", intent.language) }, "guidance");
    case "no_draft":
      return count({ kind: "no_draft", language: intent.language }, "guidance");
    case "usage": {
      const revisions = current ? { used: current.revisions, max: who.tier.revisionsPerDraft } : null;
      return count(
        { kind: "usage", language: intent.language, ...(await usageNow(deps.quotas, who, now)), revisions },
        "usage",
      );
    }
    case "stop": {
      const targets = action?.generationId
        ? [action.generationId]
        : (await inFlight(deps.db, key)).map((g) => g.id);
      const stopped: string[] = [];
      for (const id of targets) {
        const marked = await deps.db.prisma.generation.updateMany({
          // A written draft (finishedAt set) is only waiting for its closing message: too late.
          where: {
            id,
            status: { in: ["QUEUED", "RUNNING"] },
            finishedAt: null,
            requesterId: who.requesterId,
          },
          data: { stopRequestedAt: now },
        });
        if (!marked.count) continue;
        stopped.push(id);
        await deps.stops.request(id);
      }
      return count({ kind: "stopped", language: intent.language, generationIds: stopped }, "cancelled");
    }
    case "revision": {
      if (!current) return count({ kind: "no_draft", language: intent.language }, "guidance");
      const revised = await acceptRevision(
        deps,
        {
          requestKey: action
            ? `${msg.platform}:${action.action}:${action.generationId ?? current.base.generationId}` // a double click is one revision
            : `${msg.platform}:${msg.eventId}`,
          who,
          platform: msg.platform,
          destination: msg.destination,
          draft: current,
          plan: intent.plan,
        },
        [],
        now,
      );
      if (revised.kind !== "queued_revision") return revised;
      return ahead ? count({ kind: "waiting", of: revised, ahead }, "waiting") : count(revised, "revision");
    }
    case "new_request": {
      const input = msg.input.kind === "action" ? { kind: "text" as const, text: "" } : msg.input;
      const accepted = await acceptRequest(
        {
          db: deps.db,
          catalog: deps.catalog,
          quotas: deps.quotas,
          queue: deps.queue,
          timeZone: deps.timeZone,
          defaultModel: deps.defaultModel,
        },
        { ...msg, input, conversationKey: key },
        now,
        { who, seen: await seen },
      );
      if (accepted.kind !== "queued") return accepted;
      if (!ahead) return accepted;
      return count({ kind: "waiting", of: accepted, ahead }, "waiting");
    }
  }
}

/**
 * A button names its version by id, and ids travel through the platform (a Slack action value,
 * a LINE postback): a button only acts on a draft of the conversation it was pressed in, so an
 * id from another chat or workspace revises nothing.
 */
function onlyHere(draft: CurrentDraft | null, key: string): CurrentDraft | null {
  return draft && draft.conversationKey === key ? draft : null;
}

function intentOf(msg: ConversationMessage, current: CurrentDraft | null): Intent {
  const language = current?.base.request.language ?? msg.language ?? "en";
  if (msg.input.kind === "form") return { kind: "new_request", language };
  if (msg.input.kind === "action") {
    if (msg.input.action === "stop") return { kind: "stop", language };
    if (msg.input.action === "usage" || msg.input.action === "help")
      return { kind: msg.input.action, language: msg.input.language ?? language };
    if (!current) return { kind: "no_draft", language };
    const text = msg.input.action === "shorter" ? "shorter" : "another angle";
    return { kind: "revision", language, plan: planRevision(text) };
  }
  return classifyIntent(msg.input.text, {
    inDraft: current !== null,
    draftLanguage: current?.base.request.language ?? msg.language,
    botNames: msg.botNames,
  });
}
