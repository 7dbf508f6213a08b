import { Form, Link } from "react-router";
import type { BreakdownRow, CostBreakdown } from "../breakdown.server.ts";
import { BarList } from "../components/charts.tsx";
import { Notice, useConsoleUser } from "../components/ui.tsx";
import { num, PLATFORM_LABEL, pct, usd } from "../lib/format.ts";

/** The Overview's "where the money went": every bar opens Generations with that filter. */

function generationsLink(b: CostBreakdown, filter: Record<string, string>): string {
  const params = new URLSearchParams({ from: b.range.from, to: b.range.to, ...filter });
  return `/generations?${params}`;
}

function changeText(now: number, before: number, format: (v: number) => string): string {
  if (!before) return now ? `none in the previous period` : "same as the previous period";
  const ratio = (now - before) / before;
  const sign = ratio > 0 ? "+" : ratio < 0 ? "−" : "±";
  return `${sign}${pct(Math.abs(ratio), 0)} vs ${format(before)} the period before`;
}

export function CostBreakdownSection({ b }: { b: CostBreakdown }) {
  const { timeZone } = useConsoleUser();
  const rows = (list: BreakdownRow[], param: string, sub: (r: BreakdownRow) => string, tone: string) =>
    list.map((r) => ({
      label: r.label,
      sub: sub(r),
      value: r.costUsd,
      tone,
      href: generationsLink(b, { [param]: r.key }),
    }));
  return (
    <section className="card" aria-labelledby="breakdown-title">
      <h2 id="breakdown-title">Cost breakdown</h2>
      <Form method="get" className="range-picker" aria-label="Date range">
        <div className="field">
          <label htmlFor="range-from">From</label>
          <input id="range-from" type="date" name="from" defaultValue={b.range.from} />
        </div>
        <div className="field">
          <label htmlFor="range-to">To</label>
          <input id="range-to" type="date" name="to" defaultValue={b.range.to} />
        </div>
        <button type="submit" className="button secondary">
          Show
        </button>
        <span className="hint">Days in {timeZone} (the quota time zone).</span>
      </Form>
      {b.range.problem && <Notice tone="warning">{b.range.problem}</Notice>}
      <dl className="stats">
        <div className="stat">
          <dt>
            Spend {b.range.from} – {b.range.to}
          </dt>
          <dd data-testid="range-cost">
            <Link to={generationsLink(b, {})}>{usd(b.totals.costUsd)}</Link>
          </dd>
          <dd className="stat-sub">{changeText(b.totals.costUsd, b.previous.costUsd, usd)}</dd>
        </div>
        <div className="stat">
          <dt>Articles</dt>
          <dd data-testid="range-articles">{num(b.totals.articles)}</dd>
          <dd className="stat-sub">{changeText(b.totals.articles, b.previous.articles, num)}</dd>
        </div>
        <div className="stat">
          <dt>Month-end projection</dt>
          <dd data-testid="projection">{usd(b.month.projectedUsd)}</dd>
          <dd className="stat-sub">
            {usd(b.month.spentUsd)} in {b.month.daysElapsed} of {b.month.daysInMonth} days, at the same daily
            rate
          </dd>
        </div>
      </dl>
      <div className="grid three charts">
        <BarList
          title="Spend by workspace"
          rows={rows(
            b.byWorkspace,
            "workspace",
            (r) => `${PLATFORM_LABEL[r.sub] ?? r.sub} · ${num(r.articles)} articles`,
            "c1",
          )}
          format={usd}
          empty="No spend in this range."
        />
        <BarList
          title="Spend by tier (current)"
          rows={rows(b.byTier, "tier", (r) => `${num(r.articles)} articles`, "c2")}
          format={usd}
          empty="No spend in this range."
        />
        <BarList
          title="Spend by model"
          rows={rows(b.byModel, "model", (r) => `${num(r.articles)} calls · ${r.sub}`, "c3")}
          format={usd}
          empty="No model calls in this range."
        />
      </div>
    </section>
  );
}
