import type { webhook } from "@line/bot-sdk";
import { z } from "zod";
import type { Destination } from "../../core/deliver/sink.ts";
import type { Language } from "../../core/domain.ts";

/** Where a LINE draft goes; travels with the job, so it is plain JSON. */
export interface LineDestination extends Destination {
  platform: "LINE";
  /** userId, groupId or roomId: where pushes go. */
  to: string;
  /** The event's reply token, when it had one (single-use, about a minute). */
  replyToken?: string;
  /** When the bot received the event (ms since epoch): the reply token's age counts from here. */
  receivedAt: number;
  chatType: "user" | "group" | "room";
  /** The language the person wrote in, for what the bot says around the draft. */
  lang: Language;
  /** In a group or room: who asked (mentioned in the draft's first bubble), when LINE named them. */
  mentionUserId?: string;
  /** The request's quote token: the draft's first bubble quotes the message that asked for it. */
  quoteToken?: string;
}

const LineDestinationSchema = z.object({
  platform: z.literal("LINE"),
  to: z.string().min(1),
  replyToken: z.string().min(1).optional(),
  receivedAt: z.number(),
  chatType: z.enum(["user", "group", "room"]),
  lang: z.enum(["en", "th"]),
  mentionUserId: z.string().min(1).optional(),
  quoteToken: z.string().min(1).optional(),
});

/** The destination back from its JSON form (the job); a malformed one is a bug, not a person's input. */
export function readDestination(d: Destination): LineDestination {
  const parsed = LineDestinationSchema.safeParse(d);
  if (!parsed.success) throw new Error(`Not a LINE destination: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export interface LineChat {
  type: "user" | "group" | "room";
  /** Where to push: the user, group or room id. */
  id: string;
  /** Who sent the event; LINE leaves it out for group members who have not agreed to share it. */
  userId: string | null;
  /**
   * Who counts as the requester (quota, picks, language): the sender's user id, or — when LINE
   * leaves it out (group members on LINE for PC/Mac, or who share no profile) — the group or
   * room itself, so such members are still answered and share one requester (decision 104).
   */
  requester: string;
}

export function chatOf(source: webhook.Source | undefined): LineChat | null {
  if (!source) return null;
  switch (source.type) {
    case "user":
      return source.userId
        ? { type: "user", id: source.userId, userId: source.userId, requester: source.userId }
        : null;
    case "group":
      return {
        type: "group",
        id: source.groupId,
        userId: source.userId ?? null,
        requester: source.userId ?? source.groupId,
      };
    case "room":
      return {
        type: "room",
        id: source.roomId,
        userId: source.userId ?? null,
        requester: source.userId ?? source.roomId,
      };
    default:
      return null;
  }
}

export function destinationFor(
  chat: LineChat,
  replyToken: string | undefined,
  receivedAt: number,
  lang: Language,
  quoteToken?: string,
): LineDestination {
  const inGroup = chat.type !== "user";
  return {
    platform: "LINE",
    to: chat.id,
    ...(replyToken ? { replyToken } : {}),
    receivedAt,
    chatType: chat.type,
    lang,
    ...(inGroup && chat.userId ? { mentionUserId: chat.userId } : {}),
    ...(inGroup && quoteToken ? { quoteToken } : {}),
  };
}
