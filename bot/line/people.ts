import type { Language } from "../../core/domain.ts";
import { recordDisplayName } from "../../core/records/people.ts";
import { speakerLanguage } from "../../core/text/language.ts";
import type { LineChat } from "./destination.ts";
import { profileLanguage } from "./language.ts";
import type { ListenerDeps } from "./listeners/deps.ts";
import { forgetPicks } from "./picks.ts";

/**
 * Who is talking to the bot: their name (from LINE's profile endpoints, kept a day, then read
 * again and written to the requester when it changed), the language the bot speaks to them
 * (their own choice from the rich menu, else what they wrote, else their profile's), and what
 * is forgotten when they unfollow.
 */

export interface Profile {
  displayName: string;
  /** The profile's language; member profiles and group names carry none. */
  lang: Language | null;
}

/** A name read from LINE is trusted this long before it is read again (decision 104). */
export const PROFILE_TTL_SECONDS = 24 * 3600;
/** LINE had no profile: asked again after an hour, not on every message. */
const NO_PROFILE_TTL_SECONDS = 3600;
/** A language chosen in the rich menu lasts until changed or until they unfollow. */
const CHOICE_TTL_SECONDS = 365 * 24 * 3600;

const profileKey = (channel: string, requester: string) => `profile:${channel}:${requester}`;
const languageKey = (channel: string, requester: string) => `lang:${channel}:${requester}`;

/**
 * The requester's profile: a user's own profile in a one-to-one chat, a member profile in a
 * group or room (LINE answers it for members who are not friends of the account), the group's
 * name for the group standing in for members LINE did not name. Null when LINE has none or is slow.
 */
export async function profileOf(ctx: ListenerDeps, channel: string, chat: LineChat): Promise<Profile | null> {
  const key = profileKey(channel, chat.requester);
  try {
    const cached = await ctx.memory.get(key);
    if (cached !== null) return cached ? readProfile(cached) : null;
    const profile = await fetchProfile(ctx, chat);
    await ctx.memory.set(
      key,
      profile ? JSON.stringify(profile) : "",
      profile ? PROFILE_TTL_SECONDS : NO_PROFILE_TTL_SECONDS,
    );
    // Off the request's path: a newcomer is not recorded yet (their request creates them with
    // this name), and a rename can land a moment after the answer.
    if (profile)
      void recordDisplayName(
        ctx.app.db,
        { platform: "LINE", tenantExternalId: channel, requesterExternalId: chat.requester },
        profile.displayName,
      ).catch((err: unknown) => ctx.logger.warn({ err }, "could not record a LINE display name"));
    return profile;
  } catch (err) {
    ctx.logger.debug({ err }, "LINE profile unavailable");
    return null;
  }
}

async function fetchProfile(ctx: ListenerDeps, chat: LineChat): Promise<Profile | null> {
  if (chat.type === "user") {
    const p = await ctx.api.profile(chat.requester);
    return p ? { displayName: p.displayName, lang: profileLanguage(p.language) } : null;
  }
  if (chat.userId) {
    const p = await ctx.api.memberProfile({ type: chat.type, id: chat.id }, chat.userId);
    return p ? { displayName: p.displayName, lang: null } : null;
  }
  // Rooms have no name to read; a group's name stands for its unnamed members.
  const name = chat.type === "group" ? await ctx.api.groupName(chat.id) : null;
  return name ? { displayName: name, lang: null } : null;
}

function readProfile(raw: string): Profile | null {
  try {
    const v: unknown = JSON.parse(raw);
    if (!v || typeof v !== "object" || !("displayName" in v) || typeof v.displayName !== "string")
      return null;
    const lang = "lang" in v && (v.lang === "th" || v.lang === "en") ? v.lang : null;
    return { displayName: v.displayName, lang };
  } catch {
    return null;
  }
}

/** The language they chose in the rich menu, if they did. */
export async function chosenLanguage(
  ctx: ListenerDeps,
  channel: string,
  chat: LineChat,
): Promise<Language | null> {
  const v = await ctx.memory.get(languageKey(channel, chat.requester)).catch(() => null);
  return v === "th" || v === "en" ? v : null;
}

export async function chooseLanguage(
  ctx: ListenerDeps,
  channel: string,
  chat: LineChat,
  lang: Language,
): Promise<void> {
  await ctx.memory.set(languageKey(channel, chat.requester), lang, CHOICE_TTL_SECONDS);
}

/**
 * The language the bot speaks to them: their choice, else the language of what they wrote
 * (`said`), else their profile's, else Thai (clients are mostly Thai). The draft itself is
 * written in the request's language whatever this says.
 */
export async function languageFor(
  ctx: ListenerDeps,
  channel: string,
  chat: LineChat,
  said?: string,
): Promise<Language> {
  const chosen = await chosenLanguage(ctx, channel, chat);
  if (chosen) return chosen;
  const fallback = (await profileOf(ctx, channel, chat))?.lang ?? "th";
  return said === undefined ? fallback : speakerLanguage(said, fallback);
}

/** Unfollow: their picks, language choice and cached profile go (the requester row and its history stay). */
export async function forgetPerson(ctx: ListenerDeps, channel: string, chat: LineChat): Promise<void> {
  await forgetPicks(ctx, channel, chat.requester);
  await ctx.memory.delete(languageKey(channel, chat.requester)).catch(() => undefined);
  await ctx.memory.delete(profileKey(channel, chat.requester)).catch(() => undefined);
}
