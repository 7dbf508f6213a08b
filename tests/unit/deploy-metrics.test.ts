import { readFileSync } from "node:fs";
import path from "node:path";
import { parseYAML } from "confbox";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { registry } from "../../core/metrics.ts";
import { ROOT } from "../helpers/process.ts";

/** prom-client keeps a metric's label names on the instance without typing them. */
const LabelNames = z.looseObject({ labelNames: z.array(z.string()).optional() });

/**
 * The dashboard and the alert rules only mean something if every metric and label they query
 * is one the processes export: a renamed metric would leave a panel empty and an alert silent
 * forever, without any error. So every PromQL expression in deploy/ is read here and compared
 * with the registry in core/metrics.ts (the one GET /metrics serves).
 */

/** Series Prometheus makes itself, and labels it adds to every scraped series. */
const PROMETHEUS_SERIES = new Set(["up"]);
const TARGET_LABELS = ["job", "instance"];

interface Known {
  /** Exported series name (histograms: _bucket, _sum, _count) -> label names. */
  series: Map<string, Set<string>>;
  /** Product metrics (not prom-client's default process metrics) -> their series names. */
  product: Map<string, string[]>;
}
let known: Known;

beforeAll(async () => {
  const series = new Map<string, Set<string>>();
  const product = new Map<string, string[]>();
  const labelsOf = new Map(
    registry.getMetricsAsArray().map((m) => [m.name, LabelNames.parse(m).labelNames ?? []]),
  );
  for (const m of await registry.getMetricsAsJSON()) {
    const type = String(m.type); // "counter", "gauge", "histogram", "summary"
    const labels = [...(labelsOf.get(m.name) ?? []), ...TARGET_LABELS];
    const names =
      type === "histogram"
        ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`]
        : type === "summary"
          ? [m.name, `${m.name}_sum`, `${m.name}_count`]
          : [m.name];
    for (const n of names) series.set(n, new Set(n.endsWith("_bucket") ? [...labels, "le"] : labels));
    if (!/^(process|nodejs)_/.test(m.name)) product.set(m.name, names);
  }
  for (const n of PROMETHEUS_SERIES) series.set(n, new Set(TARGET_LABELS));
  known = { series, product };
});

interface Selector {
  metric: string;
  labels: string[];
}

/** The metric selectors and grouping labels of a PromQL expression (enough PromQL for our files). */
function parsePromQL(expr: string): { selectors: Selector[]; grouping: string[] } {
  let s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\$\{?\w+\}?/g, "1m") // Grafana variables such as $__rate_interval
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\boffset\s+-?[\w.]+/g, " ");
  const grouping: string[] = [];
  s = s.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, labels: string) => {
    grouping.push(
      ...labels
        .split(",")
        .map((l) => l.trim())
        .filter(Boolean),
    );
    return " ";
  });
  const selectors: Selector[] = [];
  const token = /(?<![\w.:])([A-Za-z_:][\w:]*)?\s*(?:\{([^}]*)\})?/g;
  for (const m of s.matchAll(token)) {
    const [whole, name, matchers] = m;
    if (!whole.trim()) continue;
    const after = s.slice(m.index + whole.length).trimStart();
    if (name && !matchers && (after.startsWith("(") || /^(and|or|unless|bool|Inf|NaN|inf|nan)$/.test(name)))
      continue;
    if (!name) throw new Error(`selector without a metric name in: ${expr}`);
    const labels = (matchers ?? "")
      .split(",")
      .map((x) => x.trim().split(/\s*(?:=~|!~|!=|=)\s*/)[0]!)
      .filter(Boolean);
    selectors.push({ metric: name, labels });
  }
  return { selectors, grouping };
}

/** Problems with one expression: unknown metrics, labels no queried metric has. */
function problemsIn(expr: string, where: string): string[] {
  const { selectors, grouping } = parsePromQL(expr);
  const problems: string[] = [];
  if (!selectors.length) problems.push(`${where}: no metric in "${expr}"`);
  for (const sel of selectors) {
    const labels = known.series.get(sel.metric);
    if (!labels) {
      problems.push(`${where}: "${sel.metric}" is not exported by core/metrics.ts`);
      continue;
    }
    for (const l of sel.labels)
      if (!labels.has(l)) problems.push(`${where}: ${sel.metric} has no label "${l}"`);
  }
  for (const l of grouping)
    if (!selectors.some((sel) => known.series.get(sel.metric)?.has(l)))
      problems.push(`${where}: no metric in the expression has label "${l}"`);
  return problems;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string; datasource?: { uid: string } }[];
  panels?: Panel[];
}
const dashboard = JSON.parse(readFileSync(path.join(ROOT, "deploy/grafana/dashboard.json"), "utf8")) as {
  uid: string;
  title: string;
  panels: Panel[];
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

const alertRules = parseYAML<{ groups: { rules: { alert: string; expr: string }[] }[] }>(
  readFileSync(path.join(ROOT, "deploy/prometheus/alerts.yml"), "utf8"),
).groups.flatMap((g) => g.rules);

describe("PromQL in deploy/ against core/metrics.ts", () => {
  it("the checker itself notices a wrong metric name, a wrong label and a wrong grouping", () => {
    expect(problemsIn('sum(rate(article_request_total{outcome="accepted"}[5m]))', "typo")).toEqual([
      'typo: "article_request_total" is not exported by core/metrics.ts',
    ]);
    expect(problemsIn('sum(rate(article_requests_total{tier="Free"}[5m]))', "label")).toEqual([
      'label: article_requests_total has no label "tier"',
    ]);
    expect(problemsIn("sum by (model) (rate(quota_refusals_total[5m]))", "grouping")).toEqual([
      'grouping: no metric in the expression has label "model"',
    ]);
    expect(
      problemsIn(
        "histogram_quantile(0.95, sum by (le) (rate(article_generation_duration_seconds_bucket[$__rate_interval])))",
        "ok",
      ),
    ).toEqual([]);
  });

  it("every dashboard query uses only exported metrics and their labels", () => {
    expect(queries.length).toBeGreaterThan(15);
    expect(queries.flatMap((q) => problemsIn(q.expr, `panel "${q.panel}"`))).toEqual([]);
  });

  it("every alert rule uses only exported metrics and their labels", () => {
    expect(alertRules.length).toBeGreaterThanOrEqual(6);
    expect(alertRules.flatMap((r) => problemsIn(r.expr, `alert ${r.alert}`))).toEqual([]);
  });

  it("the dashboard shows every product metric", () => {
    const used = new Set(queries.flatMap((q) => parsePromQL(q.expr).selectors.map((s) => s.metric)));
    const unused = [...known.product]
      .filter(([, names]) => !names.some((n) => used.has(n)))
      .map(([name]) => name);
    expect(unused).toEqual([]);
  });
});

describe("deploy/grafana", () => {
  const datasources = parseYAML<{ datasources: { uid: string; type: string; url: string }[] }>(
    readFileSync(path.join(ROOT, "deploy/grafana/provisioning/datasources/prometheus.yml"), "utf8"),
  ).datasources;

  it("every panel queries the provisioned Prometheus datasource", () => {
    expect(datasources).toHaveLength(1);
    const [prometheus] = datasources;
    expect(prometheus).toMatchObject({ type: "prometheus", url: "http://prometheus:9090" });
    for (const p of panels.filter((p) => p.type !== "row")) {
      expect(p.datasource, p.title).toEqual({ type: "prometheus", uid: prometheus!.uid });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? [])
        expect(t.datasource?.uid ?? p.datasource?.uid, p.title).toBe(prometheus!.uid);
    }
  });

  it("has the panels an operator looks for, laid out without overlaps on Grafana's 24 columns", () => {
    const titles = panels.map((p) => p.title.toLowerCase()).join("\n");
    for (const topic of [
      "requests/s",
      "generation time",
      "cost per hour",
      "cost per article",
      "cache",
      "errors by stage",
      "queue depth",
      "active generations",
      "tokens per minute by model",
      "quota refusals",
    ])
      expect(titles).toContain(topic);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const taken = new Set<string>();
    for (const p of panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(taken.has(`${i},${j}`), `${p.title} overlaps another panel at ${i},${j}`).toBe(false);
          taken.add(`${i},${j}`);
        }
    }
  });
});
