import type { Platform } from "../db/client.ts";

/**
 * Where a conversation happens, as the platform knows it. The key made from it finds "the
 * current draft": a Slack thread is one conversation for as long as it lives; a LINE chat is
 * one conversation while its latest draft is recent (or when a bubble of it is quoted).
 */
export type ConversationRef =
  | { platform: "SLACK"; channel: string; threadTs: string }
  | {
      platform: "LINE";
      /** The user, group or room id the chat happens in. */
      chatId: string;
      /** The message the person quoted (replied to), when they did. */
      quotedMessageId?: string;
    }
  | { platform: "CONSOLE"; id: string };

export function conversationKey(ref: ConversationRef): string {
  switch (ref.platform) {
    case "SLACK":
      return `slack:${ref.channel}:${ref.threadTs}`;
    case "LINE":
      return `line:${ref.chatId}`;
    case "CONSOLE":
      return `console:${ref.id}`;
  }
}

/** The place a key was made from (the inverse of conversationKey), or null for a key it never makes. */
export function conversationRefOf(key: string): ConversationRef | null {
  const [platform, ...rest] = key.split(":");
  const tail = rest.join(":");
  if (platform === "slack" && rest.length >= 2 && rest[0] && rest[1])
    return { platform: "SLACK", channel: rest[0], threadTs: rest.slice(1).join(":") };
  if (platform === "line" && tail) return { platform: "LINE", chatId: tail };
  if (platform === "console" && tail) return { platform: "CONSOLE", id: tail };
  return null;
}

export function platformOf(ref: ConversationRef): Platform {
  return ref.platform;
}

/** LINE's window: a message this long after the latest version starts afresh. */
export const DEFAULT_LINE_WINDOW_MS = 30 * 60_000;
