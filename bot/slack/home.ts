import type { KnownBlock, View, WebClient } from "@slack/web-api";
import type { Language } from "../../core/domain.ts";
import type { Logger } from "../../core/logger.ts";
import type { Overview, Pipeline, RecentDraft } from "../../core/pipeline/index.ts";
import type { ShortMemory } from "../shared/memory.ts";
import { homeWords, words } from "./copy.ts";
import { escapeText } from "./mrkdwn.ts";
import { localeLanguage, type People } from "./people.ts";

/**
 * The App Home tab: today's articles against the limit and when it resets, this month's spend
 * against the budget (the same numbers as the answer to "how many do I have left?"), the
 * person's latest drafts with links to their threads, and a New article button that opens the
 * form. Published afresh each time the person opens the tab.
 * @see https://docs.slack.dev/surfaces/app-home
 */

export const HOME_NEW_ARTICLE = "home_new_article";
/** Permalinks never change: remembered for a month, so reopening the tab costs no calls. */
const PERMALINK_TTL_SECONDS = 30 * 86_400;
const SLACK_TS = /^\d+\.\d+$/;

export class AppHome {
  constructor(
    private readonly deps: {
      pipeline: Pipeline;
      people: People;
      client: WebClient;
      memory: ShortMemory;
      logger: Logger;
    },
  ) {}

  async publish(teamId: string, userId: string): Promise<void> {
    const person = await this.deps.people.of(teamId, userId);
    const overview = await this.deps.pipeline.overview({
      platform: "SLACK",
      tenant: { externalId: teamId },
      requester: { externalId: userId, ...(person.displayName ? { displayName: person.displayName } : {}) },
    });
    const links = await Promise.all(overview.recent.map((d) => this.permalink(d)));
    await this.deps.client.views.publish({
      user_id: userId,
      view: homeView(localeLanguage(person.locale), overview, links),
    });
  }

  /** The draft's thread in Slack, when it was posted to one (a form's draft waits for its thread). */
  private async permalink(draft: RecentDraft): Promise<string | null> {
    const place = draft.conversation;
    if (place?.platform !== "SLACK" || !SLACK_TS.test(place.threadTs)) return null;
    const key = `permalink:${place.channel}:${place.threadTs}`;
    const known = await this.deps.memory.get(key).catch(() => null);
    if (known) return known;
    try {
      const res = await this.deps.client.chat.getPermalink({
        channel: place.channel,
        message_ts: place.threadTs,
      });
      if (!res.permalink) return null;
      await this.deps.memory.set(key, res.permalink, PERMALINK_TTL_SECONDS).catch(() => undefined);
      return res.permalink;
    } catch (error) {
      // A deleted thread or a channel the bot left: the draft is listed without a link.
      this.deps.logger.info(
        { err: error instanceof Error ? error.message : String(error), channel: place.channel },
        "no permalink for a draft's thread",
      );
      return null;
    }
  }
}

/** The Home tab's blocks, `links[i]` being the thread of `overview.recent[i]` (or null). */
export function homeView(language: Language, overview: Overview, links: ReadonlyArray<string | null>): View {
  const t = homeWords(language);
  const u = words(language).conversation;
  const usage = [
    `• ${u.today(overview.today.used, overview.today.limit)} · ${u.resets(overview.today.resetsAt)}`,
    `• ${u.month(overview.month.spentUsd, overview.month.budgetUsd)} · ${u.resets(overview.month.resetsAt)}`,
  ].join("\n");
  const drafts: KnownBlock[] = overview.recent.length
    ? overview.recent.map((d, i) => draftBlock(language, d, links[i] ?? null))
    : [{ type: "section", text: { type: "mrkdwn", text: t.none } }];
  return {
    type: "home",
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${t.title}*\n${t.intro}` } },
      {
        type: "actions",
        block_id: "home_actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: t.newArticle, emoji: true },
            action_id: HOME_NEW_ARTICLE,
            // The form speaks the language this tab was published in (views.open cannot wait).
            value: language,
            style: "primary",
          },
        ],
      },
      { type: "divider" },
      { type: "section", text: { type: "mrkdwn", text: `${t.usage(escapeText(overview.tier))}\n${usage}` } },
      { type: "divider" },
      { type: "section", text: { type: "mrkdwn", text: t.recent } },
      ...drafts,
      { type: "context", elements: [{ type: "mrkdwn", text: t.refreshed }] },
    ],
  };
}

function draftBlock(language: Language, d: RecentDraft, link: string | null): KnownBlock {
  const t = homeWords(language);
  const topic = escapeText(d.topic.slice(0, 200));
  const title = link ? `<${link}|${topic}>` : topic;
  const facts = [
    t.status[d.status],
    d.words !== null ? t.words(d.words) : null,
    link || d.status === "QUEUED" || d.status === "RUNNING" ? null : t.notPosted,
    t.updated(d.updatedAt),
  ].filter(Boolean);
  return { type: "section", text: { type: "mrkdwn", text: `*${title}*\n${facts.join(" · ")}` } };
}
