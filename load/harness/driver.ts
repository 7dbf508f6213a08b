/**
 * Virtual users against the running stack, half in LINE and half in Slack: each sends a signed
 * request (a LINE webhook delivery, a Slack app_mention event), waits for the draft's closing
 * message (or an apology), thinks, and asks again. Records acknowledgement, first visible
 * draft text and end-to-end times, outcomes, memory and queue depth.
 */
import { flexButtons, isContinueCard, lineId } from "../../tests/fakes/line.ts";
import type { Stack } from "./stack.ts";

export interface LoadPlan {
  name: string;
  description: string;
  /** How many virtual users should be active `t` ms after the start. */
  users(t: number): number;
  durationMs: number;
  /** Requests per user at most (a spike: 1). */
  requestsPerUser: number;
  thinkMs: [number, number];
  /** Words asked for; the fake LLM's pace makes this the end-to-end time. */
  words: number;
  /** Give up on a draft after this long (counted as lost). */
  timeoutMs?: number;
}

export interface RequestRecord {
  platform: "line" | "slack";
  user: string;
  bot: number;
  sentAt: number;
  ackMs: number | null;
  ackStatus: number | null;
  firstMessageMs: number | null;
  endMs: number | null;
  /** refused: a quota said no (the product working); failed: an apology for a draft it could not write. */
  outcome: "delivered" | "refused" | "failed" | "lost" | "rejected";
}

export interface Sample {
  t: number;
  users: number;
  waiting: number;
  active: number;
  memoryMiB: Record<string, number>;
}

const THEMES = [
  "AI agents",
  "data platforms",
  "automation",
  "customer loyalty",
  "supply chain resilience",
  "cyber security",
  "dynamic pricing",
  "ESG reporting",
  "generative AI",
  "digital payments",
];
const INDUSTRIES = [
  "retail",
  "banking",
  "healthcare",
  "logistics",
  "manufacturing",
  "energy",
  "insurance",
  "tourism",
];

export async function drive(
  stack: Stack,
  plan: LoadPlan,
): Promise<{ records: RequestRecord[]; samples: Sample[]; wallMs: number }> {
  const records: RequestRecord[] = [];
  const samples: Sample[] = [];
  /** Keyed by LINE chat id or Slack channel: what the platform showed there, as it happened. */
  const waiters = new Map<string, (m: { text: string; at: number; draft: boolean }) => void>();
  const t0 = Date.now();
  let cursor = 0;
  let slackCursor = 0;
  let active = 0;
  let seq = 0;
  let stopped = false;

  // One poller reads what the fake LINE delivered and wakes the user it was for.
  const poller = setInterval(() => {
    const delivered = stack.line.delivered;
    for (; cursor < delivered.length; cursor++) {
      const m = delivered[cursor]!;
      // A draft not ready by its reply's deadline ends a part with "Continue reading": tap it.
      if (isContinueCard(m))
        void stack.line.deliver(`${stack.botUrls[0]}/line/webhook`, [
          stack.line.events.postback({ userId: m.chatId, data: flexButtons(m.message)[0]!.data }),
        ]);
      // The result card closes a LINE draft; its alt text says "✅ Draft ready".
      waiters.get(m.chatId)?.({ text: m.message.text ?? m.message.altText ?? "", at: m.at, draft: true });
    }
    const calls = stack.slack.calls;
    for (; slackCursor < calls.length; slackCursor++) {
      const c = calls[slackCursor]!;
      const channel = String(c.args.channel ?? "");
      if (c.method === "chat.postEphemeral")
        waiters.get(channel)?.({ text: "Refused (ephemeral)", at: c.at, draft: false });
      else if (
        c.method === "chat.postMessage" ||
        c.method === "chat.startStream" ||
        c.method === "chat.appendStream"
      )
        waiters.get(channel)?.({
          text: String(c.args.text ?? ""),
          at: c.at,
          draft: Boolean(c.args.thread_ts),
        });
    }
  }, 20);
  const sampler = setInterval(() => {
    void Promise.all([stack.queueDepth(), stack.memory()]).then(([q, memoryMiB]) =>
      samples.push({ t: Date.now() - t0, users: active, ...q, memoryMiB }),
    );
  }, 1_000);

  async function oneRequest(platform: "line" | "slack", user: string, n: number): Promise<void> {
    const bot = seq++ % stack.botUrls.length;
    const chat = platform === "line" ? user : `C${user.slice(1, 12)}`;
    const topic = `${THEMES[n % THEMES.length]} in ${INDUSTRIES[(n + user.length) % INDUSTRIES.length]} ${user.slice(-6)}-${n}`;
    const rec: RequestRecord = {
      platform,
      user,
      bot,
      sentAt: Date.now() - t0,
      ackMs: null,
      ackStatus: null,
      firstMessageMs: null,
      endMs: null,
      outcome: "lost",
    };
    records.push(rec);
    const ended = new Promise<void>((resolve) => {
      const started = Date.now();
      const timer = setTimeout(() => (waiters.delete(chat), resolve()), plan.timeoutMs ?? 120_000);
      waiters.set(chat, (m) => {
        // The first text of the draft the person can read (Slack's parent status line is not).
        if (m.draft) rec.firstMessageMs ??= m.at - started;
        if (m.text.startsWith("✅") || /^(Draft ready|Outline ready)/.test(m.text)) rec.outcome = "delivered";
        else if (/couldn't finish|ไม่สามารถเขียนบทความ|^:warning:/.test(m.text)) rec.outcome = "failed";
        else if (/^(Sorry|ขออภัย|Refused)/.test(m.text)) rec.outcome = "refused";
        else return;
        rec.endMs = m.at - started;
        clearTimeout(timer);
        waiters.delete(chat);
        resolve();
      });
    });
    const text = `write an article about ${topic} for executives, ${plan.words} words`;
    const sent = Date.now();
    try {
      const res =
        platform === "line"
          ? await stack.line.deliver(`${stack.botUrls[bot]}/line/webhook`, [
              stack.line.events.text({ userId: user, text }),
            ])
          : (
              await stack.slack.mention(stack.botUrls[bot]!, {
                channel: chat,
                user,
                text: `<@${stack.slack.botUserId}> ${text}`,
              })
            ).delivery;
      rec.ackMs = Date.now() - sent;
      rec.ackStatus = res.status;
      if (res.status !== 200) {
        rec.outcome = "rejected";
        waiters.delete(chat);
        return;
      }
    } catch {
      rec.outcome = "rejected";
      waiters.delete(chat);
      return;
    }
    await ended;
  }

  let spawned = 0;
  async function virtualUser(): Promise<void> {
    active++;
    const platform = spawned++ % 2 === 0 ? "line" : "slack";
    const user = platform === "line" ? lineId("U") : `U${lineId("U").slice(1, 11).toUpperCase()}`;
    try {
      for (let n = 0; n < plan.requestsPerUser && !stopped; n++) {
        await oneRequest(platform, user, n);
        const [lo, hi] = plan.thinkMs;
        await sleep(lo + Math.random() * (hi - lo));
      }
    } finally {
      active--;
    }
  }

  const users: Promise<void>[] = [];
  while (Date.now() - t0 < plan.durationMs) {
    const want = plan.users(Date.now() - t0);
    // Users who made all their requests leave; new ones take their place.
    while (active < want) users.push(virtualUser());
    await sleep(100);
  }
  stopped = true; // no new requests; the ones in flight finish (or time out)
  await Promise.all(users);
  clearInterval(poller);
  clearInterval(sampler);
  return { records, samples, wallMs: Date.now() - t0 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
