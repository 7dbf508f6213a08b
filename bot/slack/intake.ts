import type { WebClient } from "@slack/web-api";
import type { Language } from "../../core/domain.ts";
import type { Logger } from "../../core/logger.ts";
import type { ConversationMessage, ConverseResult, Pipeline } from "../../core/pipeline/index.ts";
import { speakerLanguage } from "../../core/text/language.ts";
import type { ShortMemory } from "../shared/memory.ts";
import { titleThread } from "./agent.ts";
import {
  noDraftMessage,
  smallTalkMessage,
  stoppingMessage,
  usageMessage,
  waitingMessage,
} from "./answers.ts";
import { type ReplyTo, tellPrivately } from "./client.ts";
import { guidanceMessage, type Message, notesMessage, plain, refusalMessage, words } from "./copy.ts";
import type { SlackDestination } from "./destination.ts";
import { IntakeRefused, type SlackInbox } from "./ingress/inbox.ts";
import type { ChannelPacer } from "./pacer.ts";
import { localeLanguage, type People } from "./people.ts";

/** Longer than Slack's last retry (~5 minutes after the first delivery). */
export const DEDUP_TTL_SECONDS = 10 * 60;

/** A request as every listener hands it over, after it acknowledged Slack. */
export interface Intake {
  /** One article per id: the event_id, the view id of a form, the trigger of a button click. */
  eventId: string;
  teamId: string;
  teamName?: string;
  userId: string;
  input: ConversationMessage["input"];
  /**
   * The thread this is said in, which finds its draft: a reply's thread, or for a message
   * outside any thread its own ts (the sink moves a new draft to the thread it starts).
   */
  conversation: { channel: string; threadTs: string };
  destination: SlackDestination;
  replyTo: ReplyTo;
  /** Language for our own words when the pipeline cannot tell (a failure before parsing). */
  language?: Language;
  /**
   * Said in the person's DM with the app, where each thread is an agent thread: a new draft
   * names its thread after the topic (assistant.threads.setTitle).
   */
  agentThread?: boolean;
}

/**
 * Turns an acknowledged Slack message into a message of its conversation and answers what needs
 * an answer now (small talk, usage, stop, guidance, refusals, notes), in the thread it came
 * from; drafts and their revisions come from the worker.
 *
 * A listener hands its request over with `take`, which only keeps it in the inbox (one write)
 * — before Slack gets its acknowledgement, so a process that dies after the 200 loses nothing.
 * The inbox hands each request to `handle`, in this process or, after a crash, another one.
 *
 * Slack retries an event it thinks we missed with the same event_id, and the inbox may hand
 * over a request twice (a process died after accepting it): the first handling claims the id
 * briefly while it works, then for ten minutes once done, and later ones stop there, so even
 * answers that are not articles (guidance, refusals) are given once. A claim left by a process
 * that died runs out before the inbox hands its request to another one. The pipeline dedupes
 * articles on the same id.
 */
export class FrontDesk {
  constructor(
    private readonly deps: {
      pipeline: Pipeline;
      memory: ShortMemory;
      people: People;
      client: WebClient;
      pacer: ChannelPacer;
      inbox: SlackInbox;
      /** The inbox's wait before taking over a dead process's request: the handling claim ends sooner. */
      reclaimAfterMs: number;
      logger: Logger;
    },
  ) {}

  /** Keeps an acknowledged-to-be request; throws IntakeRefused (Slack gets a 503) when it cannot. */
  async take(intake: Intake): Promise<void> {
    let kept: boolean;
    try {
      kept = await this.deps.inbox.put(intake);
    } catch (error) {
      this.deps.logger.error({ err: error, eventId: intake.eventId }, "could not keep a slack request");
      throw new IntakeRefused("inbox unavailable");
    }
    if (!kept) throw new IntakeRefused("inbox full");
  }

  /** A request from the inbox: accepted, and answered where an answer is due. Never throws. */
  async handle(intake: Intake): Promise<ConverseResult | null> {
    const key = `event:${intake.eventId}`;
    if (!(await this.claimOrAssume(key))) return null;
    let language = intake.language ?? "en";
    try {
      const { displayName, locale } = await this.deps.people.of(intake.teamId, intake.userId);
      const known = localeLanguage(locale);
      language = intake.language ?? speakerLanguage(typed(intake.input), known);
      const result = await this.deps.pipeline.converse({
        platform: "SLACK",
        conversation: { platform: "SLACK", ...intake.conversation },
        eventId: intake.eventId,
        tenant: { externalId: intake.teamId, ...(intake.teamName ? { name: intake.teamName } : {}) },
        requester: { externalId: intake.userId, ...(displayName ? { displayName } : {}) },
        input: intake.input,
        destination: intake.destination,
        language: known,
      });
      await this.deps.memory.set(key, "done", DEDUP_TTL_SECONDS).catch(() => undefined);
      await this.answer(intake, result);
      return result;
    } catch (error) {
      // Nothing was queued: forget the claim so a redelivery may try again.
      await this.deps.memory.delete(key).catch(() => undefined);
      this.deps.logger.error({ err: error, eventId: intake.eventId }, "could not take a slack request");
      await this.tell(intake.replyTo, plain(words(language).unavailable));
      return null;
    }
  }

  /** The language to answer a person in when nothing they typed says (a button click). */
  languageOf(teamId: string, userId: string, opts: { typed?: string; timeoutMs?: number } = {}) {
    return this.deps.people.languageOf(teamId, userId, opts.typed, opts);
  }

  /** Redis down: handle it anyway (the pipeline's own per-event key still prevents a second draft). */
  private async claimOrAssume(key: string): Promise<boolean> {
    const ttlSeconds = Math.max(1, Math.floor(this.deps.reclaimAfterMs / 2_000));
    try {
      return await this.deps.memory.claim(key, ttlSeconds);
    } catch (error) {
      this.deps.logger.warn({ err: error }, "slack event dedup unavailable; handling the request anyway");
      return true;
    }
  }

  /** A claim for work that is not an article (a download): true the first time only. */
  async once(id: string): Promise<boolean> {
    return this.deps.memory.claim(`event:${id}`, DEDUP_TTL_SECONDS);
  }

  tell(to: ReplyTo, message: Message): Promise<void> {
    return tellPrivately(this.deps.client, this.deps.pacer, to, message, this.deps.logger);
  }

  /**
   * One notice per waiting draft: converse says so at once, the worker may say so again when
   * it finds the draft must wait; whichever comes first is posted.
   */
  async tellWaiting(to: ReplyTo, generationId: string, language: Language, ahead: number): Promise<void> {
    if (await this.deps.memory.claim(waitingNoticeKey(generationId), DEDUP_TTL_SECONDS))
      await this.tell(to, waitingMessage(language, ahead));
  }

  /** An agent thread is titled with the topic of the draft it starts (revisions keep the title). */
  private titled(intake: Intake, topic: string): Promise<void> {
    if (!intake.agentThread) return Promise.resolve();
    return titleThread(this.deps.client, intake.conversation, topic, this.deps.logger);
  }

  private async answer(intake: Intake, result: ConverseResult): Promise<void> {
    const to = intake.replyTo;
    switch (result.kind) {
      case "queued":
        await this.titled(intake, result.request.topic);
        if (result.notes.length) await this.tell(to, notesMessage(result.notes));
        return;
      case "queued_revision":
      case "duplicate":
        return;
      case "waiting":
        if (result.of.kind === "queued" && result.of.notes.length)
          await this.tell(to, notesMessage(result.of.notes));
        return this.tellWaiting(to, result.of.generationId, result.of.request.language, result.ahead);
      case "small_talk":
        return this.tell(to, smallTalkMessage(result.language));
      case "usage":
        return this.tell(to, usageMessage(result));
      case "stopped":
        return this.tell(to, stoppingMessage(result.language, result.generationIds.length > 0));
      case "no_draft":
        return this.tell(to, noDraftMessage(result.language));
      case "help":
      case "guidance":
        return this.tell(to, guidanceMessage(result.guidance));
      case "refused":
        return this.tell(to, refusalMessage(result.refusal, result.language));
      case "blocked":
        return this.tell(to, plain(words(result.language).blocked));
    }
  }
}

function typed(input: Intake["input"]): string {
  if (input.kind === "text") return input.text;
  return input.kind === "form" && typeof input.form.topic === "string" ? input.form.topic : "";
}

/** Shared with the sink, so a waiting draft's notice is posted once. */
export function waitingNoticeKey(generationId: string): string {
  return `waiting:${generationId}`;
}
