import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Language } from "../../core/domain.ts";
import type { Logger } from "../../core/logger.ts";
import { speakerLanguage } from "../../core/text/language.ts";
import type { ShortMemory } from "../shared/memory.ts";

const PERSON_TTL_SECONDS = 7 * 86_400;
/** A failed look-up is not retried for a while, so an outage costs one call per person, not one per message. */
const MISS_TTL_SECONDS = 10 * 60;

/** What the bot knows of a person from users.info: a name for the console, a locale for its words. */
export interface Person {
  displayName?: string;
  /** Slack's locale for the person ("th-TH", "en-US"), when Slack said. */
  locale?: string;
}

const Remembered = z.object({ name: z.string(), locale: z.string() });

/**
 * People the bot meets: users.info (with include_locale) once per person, then from the short
 * memory. Always called after the acknowledgement, and a failure only means no name and no
 * locale (the bot then speaks the language of what they typed, else English).
 */
export class People {
  constructor(private readonly deps: { client: WebClient; memory: ShortMemory; logger: Logger }) {}

  /** The person, or what is known within `timeoutMs` (a modal must open within Slack's 3 s). */
  async of(teamId: string, userId: string, opts: { timeoutMs?: number } = {}): Promise<Person> {
    const lookUp = this.lookUp(teamId, userId);
    if (opts.timeoutMs === undefined) return lookUp;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Person>((resolve) => {
      timer = setTimeout(() => resolve({}), opts.timeoutMs);
    });
    try {
      return await Promise.race([lookUp, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Our words for this person: the language of what they typed, else their Slack locale's. */
  async languageOf(teamId: string, userId: string, typed = "", opts: { timeoutMs?: number } = {}) {
    return speakerLanguage(typed, localeLanguage((await this.of(teamId, userId, opts)).locale));
  }

  private async lookUp(teamId: string, userId: string): Promise<Person> {
    const key = `person:${teamId}:${userId}`;
    const known = Remembered.safeParse(parseJson(await this.deps.memory.get(key).catch(() => null)));
    if (known.success) return person(known.data);
    let found = { name: "", locale: "" };
    try {
      const res = await this.deps.client.users.info({ user: userId, include_locale: true });
      const u = res.user;
      const name = u?.profile?.display_name || u?.profile?.real_name || u?.real_name || u?.name || "";
      found = { name: name.slice(0, 120), locale: (u?.locale ?? "").slice(0, 20) };
    } catch (error) {
      this.deps.logger.info(
        { err: error instanceof Error ? error.message : String(error), userId },
        "could not look up a slack person",
      );
    }
    const ttl = found.name || found.locale ? PERSON_TTL_SECONDS : MISS_TTL_SECONDS;
    await this.deps.memory.set(key, JSON.stringify(found), ttl).catch(() => undefined);
    return person(found);
  }
}

/** Thai for a Thai locale ("th-TH", "th"), English for every other. */
export function localeLanguage(locale: string | undefined): Language {
  return locale?.toLowerCase().startsWith("th") ? "th" : "en";
}

function person(r: { name: string; locale: string }): Person {
  return { ...(r.name ? { displayName: r.name } : {}), ...(r.locale ? { locale: r.locale } : {}) };
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
