import { describe, expect, it } from "vitest";
import { THREAD_TITLE_MAX, threadTitle } from "../../bot/slack/agent.ts";
import { suggestedPrompts } from "../../bot/slack/copy.ts";
import { HOME_NEW_ARTICLE, homeView } from "../../bot/slack/home.ts";
import { localeLanguage } from "../../bot/slack/people.ts";
import type { Overview, RecentDraft } from "../../core/pipeline/index.ts";
import { MAX_SUGGESTED_PROMPTS } from "../fakes/slack/agent.ts";
import { HOME_LIMITS } from "../fakes/slack/home.ts";

const at = new Date("2026-12-01T10:00:00Z");
const draft = (i: number, over: Partial<RecentDraft> = {}): RecentDraft => ({
  draftId: `d${i}`,
  topic: `Topic ${i} <script> & more`,
  language: "en",
  status: "DELIVERED",
  words: 1200,
  conversation: { platform: "SLACK", channel: "C1", threadTs: `17000000${i}.000100` },
  updatedAt: at,
  ...over,
});
const overview = (recent: RecentDraft[]): Overview => ({
  tier: "Pro",
  today: { used: 3, limit: 100, resetsAt: new Date("2026-12-01T17:00:00Z") },
  month: { spentUsd: 1.5, budgetUsd: 50, resetsAt: new Date("2026-12-31T17:00:00Z") },
  recent,
});

describe("the App Home tab", () => {
  it("shows usage with resets, the New article button and each draft linked, escaped, within Block Kit's limits", () => {
    const recent = [
      draft(1),
      draft(2, { status: "RUNNING", words: null }),
      draft(3, { status: "FAILED", words: null }),
    ];
    const view = homeView("en", overview(recent), ["https://x.slack.com/archives/C1/p1", null, null]);
    const blocks = view.blocks as any[];
    expect(view.type).toBe("home");
    expect(blocks.length).toBeLessThanOrEqual(HOME_LIMITS.blocks);
    const text = JSON.stringify(blocks);
    const epoch = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
    expect(text).toContain(`• Today: 3 of 100 articles · resets <!date^${epoch("2026-12-01T17:00:00Z")}^`);
    expect(text).toContain(
      `• This month: $1.50 of $50.00 budget · resets <!date^${epoch("2026-12-31T17:00:00Z")}^`,
    );
    expect(text).toContain("*<https://x.slack.com/archives/C1/p1|Topic 1 &lt;script&gt; &amp; more>*");
    expect(text).toContain(":hourglass_flowing_sand: being written · updated");
    expect(text).toContain(":warning: could not be finished · not posted in Slack");
    const button = blocks.find((b) => b.type === "actions").elements[0];
    expect(button).toMatchObject({ action_id: HOME_NEW_ARTICLE, value: "en", style: "primary" });
  });

  it("says what to do when there is no draft yet, in Thai for Thai readers", () => {
    const text = JSON.stringify(homeView("th", overview([]), []).blocks);
    expect(text).toContain("วันนี้: 3 จาก 100 บทความ");
    expect(text).toContain("ยังไม่มีบทความ");
  });
});

describe("the agent DM", () => {
  it("suggests at most four prompts, each with a title and a message, in both languages", () => {
    for (const language of ["en", "th"] as const) {
      const { title, prompts } = suggestedPrompts(language);
      expect(title).not.toBe("");
      expect(prompts.length).toBeGreaterThan(0);
      expect(prompts.length).toBeLessThanOrEqual(MAX_SUGGESTED_PROMPTS);
      for (const p of prompts) expect(p.title && p.message).toBeTruthy();
    }
  });

  it("titles a thread with its topic, cut between words when long", () => {
    expect(threadTitle("  AI in   retail ")).toBe("AI in retail");
    const long = "The future of digital banking ".repeat(6);
    const title = threadTitle(long);
    expect(title.length).toBeLessThanOrEqual(THREAD_TITLE_MAX);
    expect(title).toMatch(/^The future of digital banking The .*[a-z]…$/);
    expect(long.startsWith(title.slice(0, -1))).toBe(true);
    const thai = threadTitle("อนาคตของธนาคารดิจิทัลสำหรับผู้บริหาร".repeat(5));
    expect(thai.length).toBeLessThanOrEqual(THREAD_TITLE_MAX);
  });

  it("reads Thai from a Thai Slack locale only", () => {
    expect(localeLanguage("th-TH")).toBe("th");
    expect(localeLanguage("TH")).toBe("th");
    expect(localeLanguage("en-GB")).toBe("en");
    expect(localeLanguage(undefined)).toBe("en");
  });
});
