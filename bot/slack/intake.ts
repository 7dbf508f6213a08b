import type { WebClient } from "@slack/web-api";
import type { Language } from "../../core/domain.ts";
import type { Logger } from "../../core/logger.ts";
import type { AcceptResult, ChatRequest, Pipeline } from "../../core/pipeline/index.ts";
import type { Semaphore } from "../../core/semaphore.ts";
import type { ShortMemory } from "../shared/memory.ts";
import { type ReplyTo, tellPrivately } from "./client.ts";
import { guidanceMessage, type Message, notesMessage, plain, refusalMessage, words } from "./copy.ts";
import { draftThreadKey, type SlackDestination } from "./destination.ts";
import type { ChannelPacer } from "./pacer.ts";
import type { DisplayNames } from "./people.ts";

/** Longer than Slack's last retry (~5 minutes after the first delivery). */
export const DEDUP_TTL_SECONDS = 10 * 60;

/** A request as every listener hands it over, after it acknowledged Slack. */
export interface Intake {
  /** One article per id: the event_id, the view id of a form, the trigger of a button click. */
  eventId: string;
  teamId: string;
  teamName?: string;
  userId: string;
  input: ChatRequest["input"];
  destination: SlackDestination;
  replyTo: ReplyTo;
  /** Language for our own words when the pipeline cannot tell (a failure before parsing). */
  language?: Language;
}

/**
 * Turns an acknowledged Slack request into a pipeline request and answers what needs an
 * answer now (guidance, refusals, notes); the draft itself comes from the worker.
 *
 * Slack retries an event it thinks we missed with the same event_id: the first delivery
 * claims the id for ten minutes and later ones stop here, so even answers that are not
 * articles (guidance, refusals) are given once. The pipeline dedupes articles on the same id.
 */
export class FrontDesk {
  constructor(
    private readonly deps: {
      pipeline: Pipeline;
      memory: ShortMemory;
      names: DisplayNames;
      client: WebClient;
      pacer: ChannelPacer;
      backlog: Semaphore;
      logger: Logger;
    },
  ) {}

  take(intake: Intake): Promise<AcceptResult | null> {
    return this.deps.backlog.run(() => this.takeNow(intake));
  }

  private async takeNow(intake: Intake): Promise<AcceptResult | null> {
    const key = `event:${intake.eventId}`;
    if (!(await this.deps.memory.claim(key, DEDUP_TTL_SECONDS))) return null;
    try {
      const displayName = await this.deps.names.of(intake.teamId, intake.userId);
      const result = await this.deps.pipeline.accept({
        platform: "SLACK",
        eventId: intake.eventId,
        tenant: { externalId: intake.teamId, ...(intake.teamName ? { name: intake.teamName } : {}) },
        requester: { externalId: intake.userId, ...(displayName ? { displayName } : {}) },
        input: intake.input,
        destination: intake.destination,
      });
      await this.answer(intake, result);
      return result;
    } catch (error) {
      // Nothing was queued: forget the claim so a redelivery may try again.
      await this.deps.memory.delete(key).catch(() => undefined);
      this.deps.logger.error({ err: error, eventId: intake.eventId }, "could not take a slack request");
      await this.tell(intake.replyTo, plain(words(intake.language ?? "en").unavailable));
      return null;
    }
  }

  /** A claim for work that is not an article (a download): true the first time only. */
  async once(id: string): Promise<boolean> {
    return this.deps.memory.claim(`event:${id}`, DEDUP_TTL_SECONDS);
  }

  /** True when `ts` is the parent of a draft the bot posted (replies there are not new requests). */
  async isDraftThread(channel: string, ts: string): Promise<boolean> {
    return (await this.deps.memory.get(draftThreadKey(channel, ts)).catch(() => null)) !== null;
  }

  tell(to: ReplyTo, message: Message): Promise<void> {
    return tellPrivately(this.deps.client, this.deps.pacer, to, message, this.deps.logger);
  }

  private async answer(intake: Intake, result: AcceptResult): Promise<void> {
    switch (result.kind) {
      case "queued":
        if (result.notes.length) await this.tell(intake.replyTo, notesMessage(result.notes));
        return;
      case "duplicate":
        return;
      case "guidance":
        return this.tell(intake.replyTo, guidanceMessage(result.guidance));
      case "refused":
        return this.tell(intake.replyTo, refusalMessage(result.refusal, result.language));
      case "blocked":
        return this.tell(intake.replyTo, plain(words(result.language).blocked));
    }
  }
}
