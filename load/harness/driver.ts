/**
 * Virtual LINE users against the running stack: each sends a signed webhook delivery asking
 * for an article, waits for the draft's closing message (or an apology), thinks, and asks
 * again. Records acknowledgement and end-to-end times, outcomes, memory and queue depth.
 */
import { lineId } from "../../tests/fakes/line.ts";
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
  user: string;
  bot: number;
  sentAt: number;
  ackMs: number | null;
  ackStatus: number | null;
  firstMessageMs: number | null;
  endMs: number | null;
  outcome: "delivered" | "refused_or_failed" | "lost" | "rejected";
}

export interface Sample {
  t: number;
  users: number;
  waiting: number;
  active: number;
  memoryMiB: Record<string, number>;
}

const THEMES = ["AI agents", "data platforms", "automation", "customer loyalty", "supply chain resilience", "cyber security", "dynamic pricing", "ESG reporting", "generative AI", "digital payments"];
const INDUSTRIES = ["retail", "banking", "healthcare", "logistics", "manufacturing", "energy", "insurance", "tourism"];

export async function drive(stack: Stack, plan: LoadPlan): Promise<{ records: RequestRecord[]; samples: Sample[]; wallMs: number }> {
  const records: RequestRecord[] = [];
  const samples: Sample[] = [];
  const waiters = new Map<string, (m: { text: string; at: number }) => void>();
  const t0 = Date.now();
  let cursor = 0;
  let active = 0;
  let seq = 0;
  let stopped = false;

  // One poller reads what the fake LINE delivered and wakes the user it was for.
  const poller = setInterval(() => {
    const delivered = stack.line.delivered;
    for (; cursor < delivered.length; cursor++) {
      const m = delivered[cursor]!;
      waiters.get(m.chatId)?.({ text: m.message.text ?? "", at: m.at });
    }
  }, 20);
  const sampler = setInterval(() => {
    void Promise.all([stack.queueDepth(), stack.memory()]).then(([q, memoryMiB]) => samples.push({ t: Date.now() - t0, users: active, ...q, memoryMiB }));
  }, 1_000);

  async function oneRequest(user: string, n: number): Promise<void> {
    const bot = seq++ % stack.botUrls.length;
    const topic = `${THEMES[n % THEMES.length]} in ${INDUSTRIES[(n + user.length) % INDUSTRIES.length]} ${user.slice(-6)}-${n}`;
    const rec: RequestRecord = { user, bot, sentAt: Date.now() - t0, ackMs: null, ackStatus: null, firstMessageMs: null, endMs: null, outcome: "lost" };
    records.push(rec);
    const ended = new Promise<void>((resolve) => {
      const started = Date.now();
      const timer = setTimeout(() => (waiters.delete(user), resolve()), plan.timeoutMs ?? 120_000);
      waiters.set(user, (m) => {
        rec.firstMessageMs ??= m.at - started;
        if (m.text.startsWith("✅")) rec.outcome = "delivered";
        else if (/^(Sorry|ขออภัย)/.test(m.text)) rec.outcome = "refused_or_failed";
        else return;
        rec.endMs = m.at - started;
        clearTimeout(timer);
        waiters.delete(user);
        resolve();
      });
    });
    const event = stack.line.events.text({ userId: user, text: `write an article about ${topic} for executives, ${plan.words} words` });
    const sent = Date.now();
    try {
      const res = await stack.line.deliver(`${stack.botUrls[bot]}/line/webhook`, [event]);
      rec.ackMs = Date.now() - sent;
      rec.ackStatus = res.status;
      if (res.status !== 200) {
        rec.outcome = "rejected";
        waiters.delete(user);
        return;
      }
    } catch {
      rec.outcome = "rejected";
      waiters.delete(user);
      return;
    }
    await ended;
  }

  async function virtualUser(): Promise<void> {
    active++;
    const user = lineId("U");
    try {
      for (let n = 0; n < plan.requestsPerUser && !stopped; n++) {
        await oneRequest(user, n);
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
    while (users.length < want) users.push(virtualUser());
    await sleep(100);
  }
  stopped = true; // no new requests; the ones in flight finish (or time out)
  await Promise.all(users);
  clearInterval(poller);
  clearInterval(sampler);
  return { records, samples, wallMs: Date.now() - t0 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
