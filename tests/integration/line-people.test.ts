import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setRequesterTier, setWorkspaceUpgradeNote } from "../../admin/app/requesters.server.ts";
import { menuData } from "../../bot/line/actions.ts";
import { MENU_NAME_PREFIX, richMenuClients, syncRichMenu } from "../../bot/line/richmenu/sync.ts";
import type { AppContext } from "../../core/app.ts";
import { type DeliveredMessage, type FakeLine, isResultCard, type LineEvent, lineId } from "../fakes/line.ts";
import type { FakeOpenAI } from "../fakes/openai.ts";
import { type LineBot, startLineBot } from "../helpers/line-bot.ts";
import { until } from "../helpers/wait.ts";

/**
 * LINE's people end to end, over signed webhooks into the real bot server and the fake
 * Messaging API: names from user and member profiles (refreshed into the requester row), read
 * receipts, members LINE does not name, typed names and aliases, group drafts that quote and
 * mention, unfollow, the rich menu (its script and its buttons) and plan-aware wording.
 */

let openai: FakeOpenAI;
let line: FakeLine;
let app: AppContext;
let bot: LineBot;
let webhookUrl: string;

/** The draft's end: its Flex result card. */
const isFooter = (d: DeliveredMessage) => isResultCard(d);
const send = (...events: LineEvent[]) => line.deliver(webhookUrl, events);

async function answerTo(chatId: string, event: LineEvent, count = 1): Promise<DeliveredMessage[]> {
  const before = line.messagesTo(chatId).length;
  expect((await send(event)).status).toBe(200);
  await until("the answer", () => line.messagesTo(chatId).length >= before + count);
  return line.messagesTo(chatId).slice(before);
}

async function requester(externalId: string) {
  return app.db.prisma.requester.findFirst({ where: { platform: "LINE", externalId } });
}

beforeAll(async () => {
  bot = await startLineBot("ab_line_people", { LINE_BOT_ALIASES: "Writer, บอทเขียน" });
  ({ openai, line, app, webhookUrl } = bot);
  await until("the bot's name", () => line.calls.some((c) => c.endpoint === "info" && c.status === 200));
});

afterAll(async () => {
  await bot?.close();
});

describe("LINE people in groups", () => {
  it("answers a typed @name, quotes the request and mentions the requester, named from the member profile", async () => {
    const group = lineId("C");
    const user = lineId();
    line.setProfile(user, null); // not a friend of the account: only the member profile knows them
    line.people.setMemberProfile(group, user, { displayName: "Nok" });
    const ask = line.events.text({
      userId: user,
      groupId: group,
      text: "@Article Bot the future of digital banking for CIOs, 500 words",
    });
    expect((await send(ask)).status).toBe(200);
    await until("the group draft", () => line.messagesTo(group).some(isFooter));

    const first = line.messagesTo(group)[0]!.message;
    const quoteToken = (ask.message as { quoteToken: string }).quoteToken;
    expect(first.type).toBe("textV2");
    expect(first.text).toMatch(/^\{requester\} /);
    expect(first.substitution).toEqual({
      requester: { type: "mention", mentionee: { type: "user", userId: user } },
    });
    expect(first.quoteToken).toBe(quoteToken);
    expect(
      line
        .messagesTo(group)
        .slice(1)
        .filter((d) => !isResultCard(d))
        .every((d) => d.message.type === "text"),
    ).toBe(true);
    expect((await requester(user))?.displayName).toBe("Nok");
    const g = await app.db.prisma.generation.findUniqueOrThrow({
      where: { requestKey: `LINE:${ask.webhookEventId}` },
    });
    expect(g.request).toMatchObject({ topic: expect.stringMatching(/digital banking/i) });
    expect(JSON.stringify(g.request)).not.toMatch(/Article Bot/);
  });

  it("answers a member LINE does not name, as the group, with the group's name, and by an alias", async () => {
    const group = lineId("C");
    line.people.setGroupName(group, "ทีมการตลาด");
    const ask = line.events.text({
      userId: null,
      groupId: group,
      text: "Writer, AI in logistics for operations managers",
    });
    expect((ask.source as { userId?: string }).userId).toBeUndefined();
    expect((await send(ask)).status).toBe(200);
    await until("the group draft", () => line.messagesTo(group).some(isFooter));
    const first = line.messagesTo(group)[0]!.message;
    expect(first.type).toBe("text"); // nobody to mention; the request is still quoted
    expect(first.quoteToken).toBe((ask.message as { quoteToken: string }).quoteToken);
    const row = await requester(group);
    expect(row?.displayName).toBe("ทีมการตลาด");
  });

  it("ignores group chatter that neither mentions nor names the bot", async () => {
    const group = lineId("C");
    await send(
      line.events.text({ userId: lineId(), groupId: group, text: "article bots are fun, writer said" }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(line.messagesTo(group)).toEqual([]);
  });

  it("joins with its real display name", async () => {
    const group = lineId("C");
    const [hello] = await answerTo(group, line.events.join({ groupId: group }));
    expect(hello!.message.text).toContain('"@Article Bot"');
    expect(hello!.message.text).toContain("สวัสดีครับ");
  });
});

describe("LINE people one to one", () => {
  it("marks what it handled as read and refreshes a name it had stored empty", async () => {
    const user = lineId();
    const tenant = await app.db.prisma.tenant.upsert({
      where: { platform_externalId: { platform: "LINE", externalId: line.botUserId } },
      create: {
        platform: "LINE",
        externalId: line.botUserId,
        defaultTier: { connect: { name: "Free" } },
      },
      update: {},
    });
    await app.db.prisma.requester.create({
      data: { tenantId: tenant.id, platform: "LINE", externalId: user, displayName: "" },
    });
    line.setProfile(user, { displayName: "Dana", language: "en" });
    const hi = line.events.text({ userId: user, text: "thanks" });
    await answerTo(user, hi);
    expect(line.people.markedAsRead).toContain((hi.message as { markAsReadToken: string }).markAsReadToken);
    // Written beside the answer, not before it (a rename is not on the request's path).
    await until("the new name recorded", async () => (await requester(user))?.displayName === "Dana");
  });

  it("offers lengths within the plan and words refusals in articles with the upgrade line", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "Fon", language: "th" });
    const [greeting] = await answerTo(user, line.events.follow({ userId: user }));
    const labels = greeting!.message.quickReply!.items.map((i) => i.action.label);
    expect(labels).toContain("กลาง · 800 คำ");
    expect(labels.some((l) => l?.includes("1,500"))).toBe(false); // Free stops at 800 words

    const tier = await app.db.prisma.tier.create({
      data: { name: `None-${user.slice(1, 7)}`, dailyArticleLimit: 0, burstPerMinute: 5, maxWords: 800 },
    });
    // Through the console's own functions: the bots see its changes at the next request (decision 120).
    const admin = { userId: "", email: "ops@example.com", ip: "127.0.0.1" };
    const channel = await app.db.prisma.tenant.findUniqueOrThrow({
      where: { platform_externalId: { platform: "LINE", externalId: line.botUserId } },
    });
    expect((await setWorkspaceUpgradeNote(app, admin, channel.id, "อัปเกรดเป็น Pro โทร 02-123-4567")).ok).toBe(
      true,
    );
    await answerTo(user, line.events.text({ userId: user, text: "ขอบคุณ" })); // creates the requester
    const fon = await app.db.prisma.requester.findFirstOrThrow({ where: { externalId: user } });
    expect((await setRequesterTier(app, admin, fon.id, tier.id)).ok).toBe(true);
    const [refusal] = await answerTo(
      user,
      line.events.text({ userId: user, text: "เขียนบทความเรื่อง AI ในธุรกิจค้าปลีก 500 คำ" }),
    );
    expect(refusal!.message.text).toContain("บทความ");
    expect(refusal!.message.text).toContain("อัปเกรดเป็น Pro โทร 02-123-4567");
    expect(refusal!.message.text).not.toContain("$");
  });

  it("stops the draft in flight on unfollow and forgets the person's choices", async () => {
    openai.set({ tokensPerSecond: 40 });
    try {
      const user = lineId();
      line.setProfile(user, { displayName: "Ice", language: "en" });
      await answerTo(user, line.events.postback({ userId: user, data: menuData("language") }));
      const ask = line.events.text({
        userId: user,
        text: "write about smart factories for plant managers, 800 words",
      });
      await send(ask);
      await until("the draft to be under way", async () => {
        const g = await app.db.prisma.generation.findUnique({
          where: { requestKey: `LINE:${ask.webhookEventId}` },
        });
        return g?.status === "RUNNING";
      });
      expect((await send(line.events.unfollow({ userId: user }))).status).toBe(200);
      await until("the draft stopped", async () => {
        const g = await app.db.prisma.generation.findUniqueOrThrow({
          where: { requestKey: `LINE:${ask.webhookEventId}` },
        });
        return g.status === "CANCELLED";
      });
      // The language chosen before is gone: a Thai profile's reader is greeted in Thai again.
      line.setProfile(user, { displayName: "Ice", language: "th" });
      const [greeting] = await answerTo(user, line.events.follow({ userId: user }));
      expect(greeting!.message.text).toMatch(/[ก-๙]/);
    } finally {
      openai.set({ tokensPerSecond: 0 });
    }
  });
});

describe("LINE rich menu", () => {
  const clients = () =>
    richMenuClients({ accessToken: line.accessToken, baseUrl: line.url, dataBaseUrl: line.url });

  it("creates and sets the default menu once, then leaves it alone; replaces an older one of ours only", async () => {
    const old = await clients().api.createRichMenu({
      size: { width: 2500, height: 843 },
      selected: false,
      name: `${MENU_NAME_PREFIX}0123456789ab`,
      chatBarText: "old",
      areas: [
        {
          bounds: { x: 0, y: 0, width: 2500, height: 843 },
          action: { type: "postback", data: "a=menu&v=help" },
        },
      ],
    });
    const foreign = await clients().api.createRichMenu({
      size: { width: 2500, height: 843 },
      selected: false,
      name: "campaign from OA Manager",
      chatBarText: "Sale",
      areas: [
        { bounds: { x: 0, y: 0, width: 2500, height: 843 }, action: { type: "message", text: "sale" } },
      ],
    });

    const first = await syncRichMenu(clients());
    expect(first).toMatchObject({ kind: "created", removed: 1 });
    const ids = line.people.richMenus().map((m) => m.richMenuId);
    expect(ids).toContain(foreign.richMenuId);
    expect(ids).not.toContain(old.richMenuId);
    expect(line.people.defaultRichMenuId()).toBe(first.richMenuId);
    const menu = line.people.richMenus().find((m) => m.richMenuId === first.richMenuId)!;
    expect(menu.image?.contentType).toBe("image/png");
    expect(menu.areas.map((a) => a.action.data)).toEqual([
      "a=menu&v=new",
      "a=menu&v=quota",
      "a=menu&v=help",
      "a=menu&v=language",
    ]);

    const creates = line.calls.filter((c) => c.endpoint === "richmenu_create").length;
    expect(await syncRichMenu(clients())).toEqual({ kind: "unchanged", richMenuId: first.richMenuId });
    expect(line.calls.filter((c) => c.endpoint === "richmenu_create")).toHaveLength(creates);
  });

  it("runs as npm run line:richmenu, reporting that nothing needed to change", async () => {
    const before = line.people.richMenus().length;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "bot/line/richmenu/cli.ts"],
      {
        env: {
          PATH: process.env.PATH,
          LINE_CHANNEL_SECRET: line.channelSecret,
          LINE_CHANNEL_ACCESS_TOKEN: line.accessToken,
          LINE_API_BASE_URL: line.url,
        },
      },
    );
    expect(stdout).toMatch(/^Rich menu up to date \(richmenu-[0-9a-f]+\); nothing changed\.$/m);
    expect(line.people.richMenus()).toHaveLength(before);
  });

  it("answers the menu's buttons: My quota, Help, New article within the plan, and the language toggle", async () => {
    const user = lineId();
    line.setProfile(user, { displayName: "Mint", language: "th" });
    const [quota] = await answerTo(user, line.events.postback({ userId: user, data: menuData("quota") }));
    expect(quota!.message.text).toMatch(/^📊 การใช้งานของคุณ/);
    const [help] = await answerTo(user, line.events.postback({ userId: user, data: menuData("help") }));
    expect(help!.message.text).toContain("บอทนี้ช่วยร่างบทความธุรกิจ");
    const [toggled] = await answerTo(
      user,
      line.events.postback({ userId: user, data: menuData("language") }),
    );
    expect(toggled!.message.text).toMatch(/^Switched to English/);
    const [fresh] = await answerTo(user, line.events.postback({ userId: user, data: menuData("new") }));
    expect(fresh!.message.text).toMatch(/^What should the article be about\?/);
    const labels = fresh!.message.quickReply!.items.map((i) => i.action.label);
    expect(labels).toEqual(expect.arrayContaining(["Short · 500 words", "Medium · 800 words"]));
    expect(labels.some((l) => l?.includes("1,500"))).toBe(false);
    const [back] = await answerTo(user, line.events.postback({ userId: user, data: menuData("language") }));
    expect(back!.message.text).toMatch(/^เปลี่ยนเป็นภาษาไทยแล้ว/);
  });
});
