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
}

const LineDestinationSchema = z.object({
  platform: z.literal("LINE"),
  to: z.string().min(1),
  replyToken: z.string().min(1).optional(),
  receivedAt: z.number(),
  chatType: z.enum(["user", "group", "room"]),
  lang: z.enum(["en", "th"]),
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
}

export function chatOf(source: webhook.Source | undefined): LineChat | null {
  if (!source) return null;
  switch (source.type) {
    case "user":
      return source.userId ? { type: "user", id: source.userId, userId: source.userId } : null;
    case "group":
      return { type: "group", id: source.groupId, userId: source.userId ?? null };
    case "room":
      return { type: "room", id: source.roomId, userId: source.userId ?? null };
    default:
      return null;
  }
}

export function destinationFor(
  chat: LineChat,
  replyToken: string | undefined,
  receivedAt: number,
  lang: Language,
): LineDestination {
  return {
    platform: "LINE",
    to: chat.id,
    ...(replyToken ? { replyToken } : {}),
    receivedAt,
    chatType: chat.type,
    lang,
  };
}
