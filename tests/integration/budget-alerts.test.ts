import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BudgetStatus,
  checkBudgets,
  memorySentAlerts,
  slackWebhookNotifier,
} from "../../core/budget/alerts.ts";

/** The budget alert sender against a local HTTP fake of a Slack incoming webhook. */

let server: http.Server;
let url: string;
const received: Array<{ path: string; body: unknown }> = [];
let status = 200;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", body: JSON.parse(body) });
      res.writeHead(status).end(status === 200 ? "ok" : "no_service");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T/B/X`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("budget alerts", () => {
  it("sends 80 % and 100 % once per period each, and again in the next period", async () => {
    received.length = 0;
    const budgets: BudgetStatus[] = [
      { key: "tenant:acme", label: "Acme Consulting", period: "2026-12", spentUsd: 79.99, limitUsd: 100 },
    ];
    const source = { budgets: async () => budgets };
    const sent = memorySentAlerts();
    const notifier = slackWebhookNotifier(url);
    expect(await checkBudgets(source, sent, notifier)).toEqual([]);
    budgets[0]!.spentUsd = 80;
    expect(await checkBudgets(source, sent, notifier)).toEqual([
      { key: "tenant:acme", period: "2026-12", threshold: 0.8 },
    ]);
    budgets[0]!.spentUsd = 95;
    expect(await checkBudgets(source, sent, notifier)).toEqual([]);
    budgets[0]!.spentUsd = 100.5;
    await checkBudgets(source, sent, notifier);
    await checkBudgets(source, sent, notifier);
    budgets[0] = { ...budgets[0]!, period: "2027-01", spentUsd: 85 };
    await checkBudgets(source, sent, notifier);
    expect(received).toEqual([
      {
        path: "/services/T/B/X",
        body: { text: "Budget at 80 %: Acme Consulting has spent $80.00 of $100.00 in 2026-12." },
      },
      {
        path: "/services/T/B/X",
        body: { text: "Budget reached: Acme Consulting has spent $100.50 of $100.00 in 2026-12 (100 %)." },
      },
      {
        path: "/services/T/B/X",
        body: { text: "Budget at 85 %: Acme Consulting has spent $85.00 of $100.00 in 2027-01." },
      },
    ]);
  });

  it("sends one message when a budget jumps past both thresholds, and never twice after a failed send", async () => {
    received.length = 0;
    const source = {
      budgets: async () => [
        { key: "global", label: "All workspaces", period: "2026-12", spentUsd: 1_200, limitUsd: 1_000 },
      ],
    };
    const sent = memorySentAlerts();
    status = 500;
    await expect(checkBudgets(source, sent, slackWebhookNotifier(url))).rejects.toThrow(
      "Slack webhook answered 500",
    );
    status = 200;
    expect(await checkBudgets(source, sent, slackWebhookNotifier(url))).toEqual([]);
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toEqual({
      text: "Budget reached: All workspaces has spent $1200.00 of $1000.00 in 2026-12 (120 %).",
    });
  });
});
