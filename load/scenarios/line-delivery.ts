/**
 * LINE delivery cost: for each tier length (Free 800 words, Pro 1,500 and 2,000) in English
 * and Thai, a few clients ask for a draft at once while the fake OpenAI writes at 50 tokens/s
 * (the guide's pace), and the run counts what each draft cost: replies (free) and pushes
 * (billed), the "Continue reading" taps it needed, and the time to its result card. Goal: no
 * pushes for Free and Pro lengths.
 *
 * The real product (`main.ts bot` and `main.ts worker`) on PostgreSQL and Redis, the fake
 * Messaging API counting the month's quota. Clients tap "Continue reading" as soon as it shows,
 * as a reader would. Bounded: one round, every draft at once, 3 minutes at most.
 */

import pg from "pg";
import { flexButtons, isContinueCard, isResultCard, lineId } from "../../tests/fakes/line.ts";
import { startStack } from "../harness/stack.ts";

const CLIENTS_PER_CASE = 3;
const CASES = [
  { tier: "Free", words: 800, lang: "en" },
  { tier: "Free", words: 800, lang: "th" },
  { tier: "Pro", words: 1500, lang: "en" },
  { tier: "Pro", words: 1500, lang: "th" },
  { tier: "Pro", words: 2000, lang: "en" },
  { tier: "Pro", words: 2000, lang: "th" },
] as const;

export async function run(): Promise<void> {
  console.log(
    "line-delivery: starting 1 bot and 1 worker on PostgreSQL and Redis, fake OpenAI at 50 tokens/s...",
  );
  const stack = await startStack({ bots: 1, workers: 1, tokensPerSecond: 50 });
  const db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  try {
    const url = `${stack.botUrls[0]}/line/webhook`;
    const clients = CASES.flatMap((c) =>
      Array.from({ length: CLIENTS_PER_CASE }, () => ({ ...c, user: lineId() })),
    );
    // Each client writes once first (the requester exists), then is put on its tier.
    await stack.line.deliver(
      url,
      clients.map((c) => stack.line.events.text({ userId: c.user, text: "hello" })),
    );
    const until = Date.now() + 30_000;
    while (clients.some((c) => !stack.line.messagesTo(c.user).length) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    for (const c of clients)
      await db.query(
        `UPDATE "Requester" SET "tierId" = (SELECT "id" FROM "Tier" WHERE "name" = $1) WHERE "externalId" = $2`,
        [c.tier, c.user],
      );
    const quotaBefore = stack.line.quotaUsed();
    const started = Date.now();
    const before = new Map(clients.map((c) => [c.user, stack.line.messagesTo(c.user).length]));
    const ask = (c: (typeof clients)[number]) =>
      c.lang === "th"
        ? `เขียนบทความเรื่องการเปลี่ยนแปลงทางดิจิทัลในธุรกิจค้าปลีก สำหรับผู้บริหาร ${c.words} คำ`
        : `write an article about digital transformation in retail for executives, ${c.words} words`;
    await stack.line.deliver(
      url,
      clients.map((c) => stack.line.events.text({ userId: c.user, text: ask(c) })),
    );
    const result = new Map<string, { taps: number; cardMs: number | null }>();
    for (const c of clients) result.set(c.user, { taps: 0, cardMs: null });
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && [...result.values()].some((r) => r.cardMs === null)) {
      for (const c of clients) {
        const r = result.get(c.user)!;
        if (r.cardMs !== null) continue;
        const got = stack.line.messagesTo(c.user).slice(before.get(c.user));
        const card = got.find(isResultCard);
        if (card) {
          r.cardMs = card.at - started;
          continue;
        }
        const more = got.filter(isContinueCard);
        if (more.length > r.taps) {
          r.taps = more.length;
          const data = flexButtons(more.at(-1)!.message)[0]!.data;
          await stack.line.deliver(url, [stack.line.events.postback({ userId: c.user, data })]);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(
      "\n| tier, length, language | drafts | replies per draft | pushes per draft | Continue taps per draft | result card after (s), mean |",
    );
    console.log("|---|---|---|---|---|---|");
    for (const k of CASES) {
      const mine = clients.filter((c) => c.tier === k.tier && c.words === k.words && c.lang === k.lang);
      const per = (f: (c: (typeof mine)[number]) => number) =>
        (mine.reduce((s, c) => s + f(c), 0) / mine.length).toFixed(1);
      const pushes = (c: (typeof mine)[number]) =>
        stack.line
          .messagesTo(c.user)
          .slice(before.get(c.user))
          .filter((m) => m.via === "push").length
          ? new Set(
              stack.line
                .messagesTo(c.user)
                .slice(before.get(c.user))
                .filter((m) => m.via === "push")
                .map((m) => m.requestId),
            ).size
          : 0;
      const replies = (c: (typeof mine)[number]) =>
        new Set(
          stack.line
            .messagesTo(c.user)
            .slice(before.get(c.user))
            .filter((m) => m.via === "reply")
            .map((m) => m.requestId),
        ).size;
      const done = mine.filter((c) => result.get(c.user)!.cardMs !== null);
      const mean = done.length
        ? done.reduce((s, c) => s + result.get(c.user)!.cardMs!, 0) / done.length / 1000
        : Number.NaN;
      console.log(
        `| ${k.tier} ${k.words} words, ${k.lang} | ${done.length}/${mine.length} | ${per(replies)} | ${per(pushes)} | ${per((c) => result.get(c.user)!.taps)} | ${mean.toFixed(1)} |`,
      );
    }
    console.log(`\nmonthly quota used by the drafts: ${stack.line.quotaUsed() - quotaBefore} messages`);
  } finally {
    await db.end();
    await stack.stop();
  }
}
