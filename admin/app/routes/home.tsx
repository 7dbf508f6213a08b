import { Link } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { loadCostBreakdown, readCostRange } from "../breakdown.server.ts";
import { BarList, ColumnChart } from "../components/charts.tsx";
import { EmptyState, PageError, PageHeader } from "../components/ui.tsx";
import { num, PLATFORM_LABEL, pct, seconds, usd } from "../lib/format.ts";
import { loadOverview, type PeriodFigures } from "../overview.server.ts";
import type { Route } from "./+types/home";
import { CostBreakdownSection } from "./home-breakdown.tsx";

export const meta: Route.MetaFunction = () => [{ title: "Overview · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const now = new Date();
  const range = readCostRange(new URL(request.url), now, context.app.config.quotaTimeZone);
  const [overview, breakdown] = await Promise.all([
    loadOverview(context.app, now),
    loadCostBreakdown(context.app, range, now),
  ]);
  return { ...overview, breakdown };
}

const COUNT_LABELS = [
  ["tiers", "Tiers in use"],
  ["tenants", "Workspaces and LINE channels"],
  ["requesters", "Requesters"],
] as const;

export default function Home({ loaderData }: Route.ComponentProps) {
  const o = loaderData;
  const b = o.month.budget;
  const budgetShare = b.limitUsd ? b.spentUsd / b.limitUsd : null;
  return (
    <>
      <PageHeader
        title="Overview"
        description="Today and this month, from the daily rollups. Days and months follow the quota time zone."
      />

      <div className="grid two">
        <Period title="Today" f={o.today} />
        <Period title="This month" f={o.month}>
          <div className="stat">
            <dt>Overall budget used</dt>
            <dd>
              {b.limitUsd === null
                ? "No budget"
                : pct(budgetShare, budgetShare !== null && budgetShare < 0.1 ? 1 : 0)}
            </dd>
            <dd className="stat-sub">
              {usd(b.spentUsd)}
              {b.limitUsd === null ? " spent" : ` of ${usd(b.limitUsd)}`}; {usd(b.projectedUsd)} by month end
              at this pace{b.limitUsd !== null && b.projectedUsd > b.limitUsd ? " (over budget)" : ""}.{" "}
              {b.workspaces ? `${num(b.workspaces)} workspaces with a budget` : ""}
              {b.over ? `; ${num(b.over)} at their cap` : ""}
              {b.near ? `; ${num(b.near)} above 80%` : ""} <Link to="/settings">Budgets and alerts</Link>
            </dd>
          </div>
        </Period>
      </div>

      <CostBreakdownSection b={o.breakdown} />

      <section className="card">
        <h2>Last 30 days</h2>
        <div className="grid two charts">
          <ColumnChart
            title="Cost per day"
            days={o.days}
            series={[{ key: "value", label: "Cost", tone: "c1" }]}
            values={o.costPerDay}
            format={usd}
          />
          <ColumnChart
            title="Articles per day by platform"
            days={o.days}
            series={[
              { key: "SLACK", label: "Slack", tone: "c1" },
              { key: "LINE", label: "LINE", tone: "c2" },
              { key: "CONSOLE", label: "Console", tone: "c3" },
            ]}
            values={o.articlesPerDay}
            format={num}
          />
          <ColumnChart
            title="Generation time per day: median and 95th percentile"
            days={o.days}
            series={[
              { key: "p50", label: "Median", tone: "c1" },
              { key: "toP95", label: "Above the median, up to the 95th percentile", tone: "c2" },
            ]}
            // Stacked, so each bar's top is the day's p95 and its lower part the median.
            values={o.latencyPerDay.map((d) => ({
              day: d.day,
              p50: d.p50Ms ?? 0,
              toP95: Math.max(0, (d.p95Ms ?? 0) - (d.p50Ms ?? 0)),
            }))}
            format={seconds}
          />
          <BarList
            title="Tokens by model and operation"
            rows={o.tokensByModel.map((m) => ({
              label: m.model,
              sub: `${m.operation.toLowerCase()} · ${num(m.calls)} calls · ${usd(m.costUsd)}`,
              value: m.tokens,
              tone: m.operation === "CHAT" ? "c1" : "c2",
            }))}
            format={num}
            empty="No model calls in these 30 days."
          />
          <BarList
            title="Top requesters by cost this month"
            rows={o.topRequesters.map((r) => ({
              label: r.name,
              sub: `${PLATFORM_LABEL[r.platform] ?? r.platform} · ${r.workspace} · ${r.tier} · ${num(r.articles)} articles${r.budgetUsd ? ` · ${pct(r.costUsd / r.budgetUsd, 0)} of budget` : ""}`,
              value: r.costUsd,
              tone: "c1",
            }))}
            format={usd}
            empty="Nobody has spent anything this month."
          />
        </div>
        {o.month.articles === 0 && o.today.articles === 0 && (
          <EmptyState title="No articles yet this month">
            Articles appear here as people ask in Slack or LINE. Try one yourself in the{" "}
            <Link to="/playground">playground</Link>.
          </EmptyState>
        )}
      </section>

      <section className="card">
        <h2>System</h2>
        <dl className="stats compact">
          {COUNT_LABELS.map(([key, label]) => (
            <div key={key} className="stat">
              <dt>{label}</dt>
              <dd>{num(o.counts[key])}</dd>
            </div>
          ))}
        </dl>
        <dl className="parts">
          {o.parts.map((part) => (
            <div key={part.name} className="part">
              <dt>{part.name}</dt>
              <dd>{part.value}</dd>
            </div>
          ))}
        </dl>
      </section>
    </>
  );
}

function Period({ title, f, children }: { title: string; f: PeriodFigures; children?: React.ReactNode }) {
  return (
    <section className="card">
      <h2>{title}</h2>
      <dl className="stats">
        <Stat
          label="Articles"
          value={num(f.articles)}
          sub={f.refusals ? `${num(f.refusals)} refused by quota` : undefined}
        />
        <Stat
          label="Cost"
          value={usd(f.costUsd)}
          sub={f.costPerArticle === null ? "no articles" : `${usd(f.costPerArticle)} per article`}
        />
        <Stat label="Cache hit rate" value={pct(f.cacheHitRate, 0)} sub={`${usd(f.savedUsd)} saved`} />
        <Stat
          label="p95 generation time"
          value={f.p95Ms === null ? "—" : f.p95Open ? `> ${seconds(f.p95Ms)}` : seconds(f.p95Ms)}
          sub={f.p50Ms === null ? undefined : `median ${seconds(f.p50Ms)}`}
        />
        <Stat label="Error rate" value={pct(f.errorRate)} sub={`${num(f.failures)} failed`} />
        {children}
      </dl>
    </section>
  );
}

function Stat({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
      {sub && <dd className="stat-sub">{sub}</dd>}
    </div>
  );
}

export const ErrorBoundary = PageError;
