import type { Language } from "../../core/domain.ts";
import type { ConverseResult } from "../../core/pipeline/index.ts";
import { type Message, plain, words } from "./copy.ts";

/**
 * The conversation's answers that need no draft (small talk, usage, stop, no draft, waiting),
 * worded from the copy file in the person's language.
 */

type Usage = Extract<ConverseResult, { kind: "usage" }>;

export function usageMessage(u: Usage): Message {
  const t = words(u.language).conversation;
  const lines = [
    `${t.today(u.today.used, u.today.limit)} · ${t.resets(u.today.resetsAt)}`,
    `${t.month(u.month.spentUsd, u.month.budgetUsd)} · ${t.resets(u.month.resetsAt)}`,
    ...(u.revisions ? [t.revisions(u.revisions.used, u.revisions.max)] : []),
  ];
  const text = `${t.usageTitle}\n${lines.map((l) => `• ${l}`).join("\n")}`;
  return plain(text);
}

export function smallTalkMessage(language: Language): Message {
  return plain(words(language).conversation.smallTalk);
}

export function stoppingMessage(language: Language, stoppedAny: boolean): Message {
  const t = words(language).conversation;
  return plain(stoppedAny ? t.stopping : t.nothingToStop);
}

export function noDraftMessage(language: Language): Message {
  return plain(words(language).conversation.noDraft);
}

export function waitingMessage(language: Language, ahead: number): Message {
  return plain(words(language).conversation.waiting(ahead));
}

/** What a clicked message's buttons become (one click, one change): a line saying what happens. */
export function withoutButtons(blocks: readonly unknown[], line: string): unknown[] {
  const said = { type: "context", elements: [{ type: "mrkdwn", text: line }] };
  return blocks.flatMap((b) => (isActions(b) ? [said] : [b]));
}

function isActions(block: unknown): boolean {
  return typeof block === "object" && block !== null && "type" in block && block.type === "actions";
}
