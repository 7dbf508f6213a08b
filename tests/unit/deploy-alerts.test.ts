import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseYAML } from "confbox";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.ts";

/**
 * The alert rules and Prometheus configuration in deploy/prometheus, checked by Prometheus's
 * own tool: syntax and PromQL (`check rules`, `check config`) and behaviour on made-up series
 * (`test rules` with alerts.test.yml). promtool comes with Debian's `prometheus` package.
 */
const DIR = path.join(ROOT, "deploy", "prometheus");

function promtool(...args: string[]): string {
  const run = spawnSync("promtool", args, { cwd: DIR, encoding: "utf8", timeout: 120_000 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT")
    throw new Error(
      "promtool is not installed: apt-get install prometheus (Debian's package provides promtool)",
    );
  if (run.error) throw run.error;
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`promtool ${args.join(" ")} failed (exit ${run.status}):\n${output}`);
  return output;
}

interface RuleFile {
  groups: {
    name: string;
    rules: {
      alert?: string;
      expr: string;
      for?: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    }[];
  }[];
}
const rules = parseYAML<RuleFile>(readFileSync(path.join(DIR, "alerts.yml"), "utf8")).groups.flatMap(
  (g) => g.rules,
);

describe("deploy/prometheus", () => {
  it("alerts.yml passes promtool check rules", () => {
    expect(promtool("check", "rules", "alerts.yml")).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it("alerts.yml behaves as alerts.test.yml says (promtool test rules)", () => {
    expect(promtool("test", "rules", "alerts.test.yml")).toContain("SUCCESS");
  });

  it("prometheus.yml passes promtool check config and loads alerts.yml", () => {
    const output = promtool("check", "config", "prometheus.yml");
    expect(output).toContain("is valid prometheus config file syntax");
    expect(output).toContain("alerts.yml");
  });

  it("has the guide's alerts plus queue and quota alerts, each with for, severity, summary and description", () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        "HighLatency",
        "HighErrorRate",
        "HighCost",
        "QueueBacklog",
        "QueueStalled",
        "QuotaRefusalSpike",
      ]),
    );
    for (const rule of rules) {
      expect(rule.alert, rule.expr).toBeTruthy();
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(["warning", "critical"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
    }
  });

  it("every alert is exercised by alerts.test.yml, firing at least once", () => {
    const tests = parseYAML<{
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    }>(readFileSync(path.join(DIR, "alerts.test.yml"), "utf8")).tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const rule of rules) {
      const cases = tests.filter((t) => t.alertname === rule.alert);
      expect(
        cases.some((t) => t.exp_alerts.length > 0),
        `${rule.alert} never fires in a test`,
      ).toBe(true);
      expect(
        cases.some((t) => t.exp_alerts.length === 0),
        `${rule.alert} is never shown staying quiet`,
      ).toBe(true);
    }
  });
});
