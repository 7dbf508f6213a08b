import { inflateSync } from "node:zlib";
import type { webhook } from "@line/bot-sdk";
import { describe, expect, it } from "vitest";
import { menuData, parseAction } from "../../bot/line/actions.ts";
import { addressedToRequester, lengthChoices, refusalMessage } from "../../bot/line/copy.ts";
import type { LineDestination } from "../../bot/line/destination.ts";
import { chatOf } from "../../bot/line/destination.ts";
import { addressedToBot, typedNameSpan } from "../../bot/line/mentions.ts";
import { MENU_SIZE } from "../../bot/line/richmenu/image.ts";
import { crc32, encodePng } from "../../bot/line/richmenu/png.ts";
import { menuDefinition } from "../../bot/line/richmenu/sync.ts";
import { loadConfig } from "../../core/config.ts";
import { validateTextV2 } from "../fakes/line-people.ts";

const BOT = `U${"b".repeat(32)}`;
const textOf = (m: { type: string; text?: string }) => (m.type === "text" ? (m.text ?? "") : "");
const message = (text: string, mentionees: webhook.Mentionee[] = []): webhook.TextMessageContent => ({
  id: "1",
  type: "text",
  quoteToken: "q",
  text,
  ...(mentionees.length ? { mention: { mentionees } } : {}),
});

describe("typed bot names", () => {
  const names = ["Article Bot", "Writer", "บอทเขียน"];

  it("takes @name anywhere and name at the start, in any case, and leaves the rest", () => {
    expect(addressedToBot(message("@article bot AI in retail"), BOT, names)).toEqual({
      said: "AI in retail",
    });
    expect(addressedToBot(message("hi @Writer, banking for CIOs"), BOT, names)).toEqual({
      said: "hi , banking for CIOs",
    });
    expect(addressedToBot(message("Writer: smart factories"), BOT, names)).toEqual({
      said: "smart factories",
    });
    expect(addressedToBot(message("บอทเขียน บทความเรื่อง AI"), BOT, names)).toEqual({ said: "บทความเรื่อง AI" });
  });

  it("ignores the name inside a longer word, mid-sentence without @, or after a letter", () => {
    expect(typedNameSpan("Writers are busy", names)).toBeNull();
    expect(typedNameSpan("ask the writer", names)).toBeNull();
    expect(typedNameSpan("mail@writer.com", names)).toBeNull();
    expect(typedNameSpan("@Writerly", names)).toBeNull();
  });

  it("prefers a real mention's span, and takes the longest name first", () => {
    const mentioned = message("@Article Bot please: AI", [
      { type: "user", index: 0, length: 12, isSelf: true } as webhook.Mentionee,
    ]);
    expect(addressedToBot(mentioned, BOT, [])).toEqual({ said: "please: AI" });
    expect(typedNameSpan("@Article Bot Pro AI", ["Article Bot", "Article Bot Pro"])).toEqual({
      index: 0,
      length: 16,
    });
  });

  it("finds a name after many near misses", () => {
    const text = `${"@Writ ".repeat(20_000)}@Writer AI`;
    expect(typedNameSpan(text, names)).toEqual({ index: text.length - 10, length: 7 });
  });
});

describe("members LINE does not name", () => {
  it("are answered as their group or room", () => {
    expect(chatOf({ type: "group", groupId: "Cg" })).toMatchObject({ userId: null, requester: "Cg" });
    expect(chatOf({ type: "room", roomId: "Rr", userId: "Uu" })).toMatchObject({ requester: "Uu" });
  });
});

describe("LINE_BOT_ALIASES", () => {
  it("is a comma-separated list of names, trimmed and deduplicated", () => {
    const config = loadConfig({
      LINE_CHANNEL_SECRET: "ab".repeat(16),
      LINE_CHANNEL_ACCESS_TOKEN: "t",
      LINE_BOT_ALIASES: " Writer, บอท ,Writer,, ",
    });
    expect(config.line?.aliases).toEqual(["Writer", "บอท"]);
    expect(() =>
      loadConfig({
        LINE_CHANNEL_SECRET: "ab".repeat(16),
        LINE_CHANNEL_ACCESS_TOKEN: "t",
        LINE_BOT_ALIASES: "x".repeat(41),
      }),
    ).toThrow(/LINE_BOT_ALIASES/);
  });
});

describe("wording within the client's plan", () => {
  const plan = (maxWords: number) => ({
    tier: { name: "Free", maxWords, dailyArticleLimit: 10 },
    upgradeNote: "",
  });

  it("offers no length above the plan's maximum, and the maximum itself when no choice lands on it", () => {
    expect(lengthChoices(plan(800)).map((c) => c.words)).toEqual([500, 800]);
    expect(lengthChoices(plan(2_000)).map((c) => c.words)).toEqual([500, 800, 1_500]);
    expect(lengthChoices(plan(600)).map((c) => c.label.en)).toEqual(["Short · 500 words", "Up to 600 words"]);
    expect(lengthChoices(null).map((c) => c.words)).toEqual([500, 800, 1_500]);
  });

  it("refuses in articles and days, never in dollars, with the upgrade line", () => {
    const now = new Date("2026-12-20T05:00:00Z");
    const budget = {
      limit: "budget" as const,
      tier: "Free",
      used: 5.2,
      max: 5,
      resetsAt: new Date("2026-12-31T17:00:00Z"),
    };
    const en = textOf(refusalMessage(budget, "en", "Asia/Bangkok", now, "Call 02-123-4567 for Pro"));
    expect(en).not.toContain("$");
    expect(en).toContain("this month's articles on the Free plan are used up");
    expect(en).toContain("in 12 days");
    expect(en.split("\n").at(-1)).toBe("Call 02-123-4567 for Pro");
    const th = textOf(refusalMessage(budget, "th", "Asia/Bangkok", now, "โทร 02-123-4567"));
    expect(th).not.toContain("$");
    expect(th).toContain("ในอีก 12 วัน");
    const daily = {
      limit: "daily" as const,
      tier: "Free",
      used: 10,
      max: 10,
      resetsAt: new Date("2026-12-20T17:00:00Z"),
    };
    expect(textOf(refusalMessage(daily, "en", "Asia/Bangkok", now))).toMatch(
      /^Sorry — you've used 10 of your 10 articles for today on the Free plan\.\nYour quota resets on .+\.$/,
    );
  });
});

describe("group drafts quote and mention", () => {
  const dest: LineDestination = {
    platform: "LINE",
    to: "Cg",
    receivedAt: 0,
    chatType: "group",
    lang: "en",
    mentionUserId: `U${"a".repeat(32)}`,
    quoteToken: "qt",
  };

  it("makes the first bubble a text v2 mention that LINE accepts, braces shown as written", () => {
    const out = addressedToRequester({ type: "text", text: "Budgets {2027} and }{ plans" }, dest);
    expect(out).toMatchObject({
      type: "textV2",
      text: "{requester} Budgets {{2027}} and }}{{ plans",
      quoteToken: "qt",
      substitution: {
        requester: { type: "mention", mentionee: { type: "user", userId: dest.mentionUserId } },
      },
    });
    expect(validateTextV2(out, "messages[0]")).toBeNull();
    expect(validateTextV2({ type: "textV2", text: "a { b" }, "m")).not.toBeNull();
    const badMention = {
      type: "textV2",
      text: "{x} hi",
      substitution: { x: { type: "mention", mentionee: { type: "user", userId: "nobody" } } },
    };
    expect(validateTextV2(badMention, "m")).toMatchObject({
      details: [{ property: "m.substitution.x.mentionee.userId" }],
    });
  });

  it("only quotes when nobody is named or the mention would not fit, and leaves one-to-one chats alone", () => {
    const long = { type: "text" as const, text: "x".repeat(4_995) };
    expect(addressedToRequester(long, dest)).toEqual({ ...long, quoteToken: "qt" });
    const { mentionUserId: _m, ...anonymous } = dest;
    expect(addressedToRequester({ type: "text", text: "hi" }, anonymous)).toEqual({
      type: "text",
      text: "hi",
      quoteToken: "qt",
    });
    expect(addressedToRequester({ type: "text", text: "hi" }, { ...dest, chatType: "user" })).toEqual({
      type: "text",
      text: "hi",
    });
  });
});

describe("the rich menu", () => {
  it("encodes a PNG that decodes back to its pixels, with correct chunk checksums", () => {
    const pixels = Uint8Array.from([0, 1, 1, 0, 2, 2]);
    const png = encodePng({
      width: 3,
      height: 2,
      palette: [
        [0, 0, 0],
        [255, 0, 0],
        [0, 0, 255],
      ],
      pixels,
    });
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    let at = 8;
    const chunks: Record<string, Buffer> = {};
    while (at < png.length) {
      const length = png.readUInt32BE(at);
      const typed = png.subarray(at + 4, at + 8 + length);
      expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(typed));
      chunks[typed.subarray(0, 4).toString("latin1")] = typed.subarray(4);
      at += 12 + length;
    }
    expect(Object.keys(chunks)).toEqual(["IHDR", "PLTE", "IDAT", "IEND"]);
    expect(chunks.IHDR!.readUInt32BE(0)).toBe(3);
    expect([...inflateSync(chunks.IDAT!)]).toEqual([0, 0, 1, 1, 0, 0, 2, 2]);
  });

  it("is four postback tiles covering the 2500×843 picture, under LINE's 1 MB, named by its content", () => {
    const { request, image, name } = menuDefinition();
    expect(request.size).toEqual(MENU_SIZE);
    expect(image.length).toBeLessThan(1024 * 1024);
    expect(image.readUInt32BE(16)).toBe(2500);
    expect(image.readUInt32BE(20)).toBe(843);
    expect(request.areas!.reduce((w, a) => w + a.bounds!.width!, 0)).toBe(2500);
    expect(request.areas!.map((a) => parseAction((a.action as { data: string }).data)?.action)).toEqual([
      { kind: "menu", item: "new" },
      { kind: "menu", item: "quota" },
      { kind: "menu", item: "help" },
      { kind: "menu", item: "language" },
    ]);
    expect([...request.chatBarText!].length).toBeLessThanOrEqual(14);
    expect(menuDefinition().name).toBe(name); // the same code draws the same menu
    expect(parseAction(menuData("quota"))).toEqual({ action: { kind: "menu", item: "quota" }, lang: null });
    expect(parseAction("a=menu&v=admin")).toBeNull();
  });
});
