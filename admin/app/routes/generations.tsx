import { Fragment } from "react";
import { Link, useLocation } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { FilterInput, FilterSelect, Filters, withParam } from "../components/filters.tsx";
import {
  Badge,
  EmptyState,
  Notice,
  PageError,
  PageHeader,
  Pager,
  useConsoleUser,
} from "../components/ui.tsx";
import {
  generationPage,
  generationTotals,
  generationWhere,
  laterVersions,
  rangeProblem,
  readGenerationFilters,
} from "../generations.server.ts";
import {
  dateTime,
  num,
  PLATFORM_LABEL,
  STATUS_LABEL,
  STATUS_TONE,
  STATUSES,
  seconds,
  usd,
} from "../lib/format.ts";
import type { Route } from "./+types/generations";
import { FilterChips, filterChips, SortHeader } from "./generations-parts.tsx";

export const meta: Route.MetaFunction = () => [{ title: "Generations · Article Bot console" }];
const PAGE = 50;

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const url = new URL(request.url);
  const filters = readGenerationFilters(url);
  const problem = rangeProblem(filters);
  const where = generationWhere(filters);
  const p = context.app.db.prisma;
  const [rows, totals, tiers, workspaces, models, requester] = await Promise.all([
    problem ? [] : generationPage(context.app, where, filters.after, PAGE + 1, filters.sort),
    problem ? null : generationTotals(context.app, filters),
    p.tier.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } }),
    p.tenant.findMany({
      orderBy: [{ name: "asc" }, { externalId: "asc" }],
      select: { id: true, name: true, externalId: true, platform: true },
      take: 500,
    }),
    // Models from the rollup table: a handful of rows, not a scan of the log.
    p.dailyModelUsage.findMany({
      where: { operation: "CHAT" },
      distinct: ["model"],
      select: { model: true },
    }),
    filters.requester
      ? p.requester.findUnique({
          where: { id: filters.requester },
          select: { displayName: true, externalId: true },
        })
      : null,
  ]);
  const page = rows.slice(0, PAGE);
  const versions =
    filters.group === "draft"
      ? await laterVersions(
          context.app,
          page.flatMap((g) => (g.draftId ? [g.draftId] : [])),
        )
      : [];
  const view = (g: (typeof page)[number]) => ({
    ...g,
    costUsd: g.costUsd.toString(),
    createdAt: g.createdAt.toISOString(),
    requester: g.requester.displayName || g.requester.externalId,
    workspace: g.tenant.name || g.tenant.externalId,
    workspaceId: g.tenant.id,
  });
  return {
    filters,
    problem,
    totals,
    tiers,
    workspaces: workspaces.map((w) => ({
      id: w.id,
      name: `${w.name || w.externalId} (${PLATFORM_LABEL[w.platform] ?? w.platform})`,
    })),
    models: models.map((m) => m.model).sort(),
    requesterName: requester ? requester.displayName || requester.externalId : filters.requester,
    next: rows.length > PAGE ? page.at(-1)!.id : null,
    rows: page.map((g) => ({
      ...view(g),
      versions: versions.filter((v) => v.draftId && v.draftId === g.draftId).map(view),
    })),
  };
}

export default function Generations({ loaderData }: Route.ComponentProps) {
  const { rows, filters, tiers, workspaces, models, next, totals, problem, requesterName } = loaderData;
  const { search } = useLocation();
  const { timeZone } = useConsoleUser();
  const exportParams = new URLSearchParams(search);
  exportParams.delete("after");
  const filtered = Boolean(
    filters.platform ||
      filters.status ||
      filters.tier ||
      filters.cache ||
      filters.from ||
      filters.to ||
      filters.requester ||
      filters.workspace ||
      filters.model ||
      filters.q,
  );
  const chips = filterChips(filters, { tiers, workspaces, requesterName });
  return (
    <>
      <PageHeader
        title="Generations"
        description="Every article request: who asked, what it cost, how it went. Open one to read the draft."
        actions={
          <a
            href={`/generations.csv${exportParams.size ? `?${exportParams}` : ""}`}
            className="button secondary"
            download
          >
            Export CSV
          </a>
        }
      />
      <Filters resetTo="/generations">
        <FilterInput label="Topic" name="q" value={filters.q} />
        <FilterSelect
          label="Platform"
          name="platform"
          value={filters.platform}
          options={[
            { value: "", label: "All" },
            ...Object.entries(PLATFORM_LABEL).map(([value, label]) => ({ value, label })),
          ]}
        />
        <FilterSelect
          label="Workspace"
          name="workspace"
          value={filters.workspace}
          options={[{ value: "", label: "All" }, ...workspaces.map((w) => ({ value: w.id, label: w.name }))]}
        />
        <FilterSelect
          label="Model"
          name="model"
          value={filters.model}
          options={[{ value: "", label: "All" }, ...models.map((m) => ({ value: m, label: m }))]}
        />
        <FilterSelect
          label="Tier (now)"
          name="tier"
          value={filters.tier}
          options={[{ value: "", label: "All" }, ...tiers.map((t) => ({ value: t.id, label: t.name }))]}
        />
        <FilterSelect
          label="Status"
          name="status"
          value={filters.status}
          options={[
            { value: "", label: "All" },
            ...STATUSES.map((s) => ({ value: s, label: STATUS_LABEL[s]! })),
          ]}
        />
        <FilterSelect
          label="Cache"
          name="cache"
          value={filters.cache}
          options={[
            { value: "", label: "All" },
            { value: "hit", label: "Cache hits" },
            { value: "miss", label: "Generated" },
          ]}
        />
        <FilterInput label="From" name="from" type="date" value={filters.from} />
        <FilterInput label="To" name="to" type="date" value={filters.to} />
        {filters.requester && <input type="hidden" name="requester" value={filters.requester} />}
        {filters.sort !== "date-desc" && <input type="hidden" name="sort" value={filters.sort} />}
        {filters.group && <input type="hidden" name="group" value={filters.group} />}
      </Filters>
      <FilterChips chips={chips} search={search} />
      <p className="group-toggle">
        {filters.group === "draft" ? (
          <Link to={withParam(withParam(search, "after", null), "group", null)}>One row per generation</Link>
        ) : (
          <Link to={withParam(withParam(search, "after", null), "group", "draft")}>Group by draft</Link>
        )}
      </p>
      {problem ? (
        <Notice tone="warning">{problem}</Notice>
      ) : totals && rows.length > 0 ? (
        <p className="totals" data-testid="totals">
          {`${num(totals.count)} generation${totals.count === 1 ? "" : "s"} · ${num(totals.tokens)} tokens · ${usd(totals.costUsd)}${filtered ? " for these filters" : " in all"}`}
        </p>
      ) : null}
      {problem ? null : rows.length === 0 ? (
        <EmptyState title={filtered ? "No generations match these filters" : "No generations yet"}>
          {filtered ? (
            "Widen the dates or clear a filter."
          ) : (
            <>
              Ask for an article in Slack, LINE or the <Link to="/playground">playground</Link>.
            </>
          )}
        </EmptyState>
      ) : (
        <div className="card flush">
          <table className="rtable compact">
            <thead>
              <tr>
                <SortHeader label="When" sortKey="date" sort={filters.sort} search={search} />
                <th scope="col">Topic</th>
                <th scope="col">Requester</th>
                <th scope="col">Model</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Words
                </th>
                <th scope="col" className="num">
                  Tokens
                </th>
                <SortHeader label="Cost" sortKey="cost" sort={filters.sort} search={search} num />
                <SortHeader label="Time" sortKey="latency" sort={filters.sort} search={search} num />
              </tr>
            </thead>
            <tbody>
              {rows.map((g) => (
                <Fragment key={g.id}>
                  <GenerationRow g={g} search={search} timeZone={timeZone} />
                  {g.versions.map((v, i) => (
                    <GenerationRow key={v.id} g={v} search={search} timeZone={timeZone} version={i + 2} />
                  ))}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        first={filters.after ? withParam(search, "after", null) : null}
        next={next ? withParam(search, "after", next) : null}
      />
    </>
  );
}

type Row = Route.ComponentProps["loaderData"]["rows"][number];

/** One generation's row; a later version of a draft shows as "↳ v2 “make it shorter”". */
function GenerationRow({
  g,
  search,
  timeZone,
  version,
}: {
  g: Omit<Row, "versions">;
  search: string;
  timeZone: string;
  version?: number;
}) {
  return (
    <tr className={version ? "version-row" : undefined} data-version={version}>
      <td data-label="When">{dateTime(g.createdAt, timeZone)}</td>
      <td data-label="Topic">
        {version ? (
          <span className="sub">{`↳ v${version}${g.instruction ? ` “${g.instruction}”` : ""} · `}</span>
        ) : null}
        <Link to={`/generations/${g.id}`} className="strong">
          {g.topic}
        </Link>{" "}
        {g.cacheHit && <Badge tone="accent">cache</Badge>}
      </td>
      <td data-label="Requester">
        {g.requester}
        <div className="sub">
          {PLATFORM_LABEL[g.platform]} ·{" "}
          <Link to={withParam(search, "workspace", g.workspaceId)}>{g.workspace}</Link>
        </div>
      </td>
      <td data-label="Model">{g.model ?? "—"}</td>
      <td data-label="Status">
        <Badge tone={STATUS_TONE[g.status]}>{STATUS_LABEL[g.status]}</Badge>
        {g.errorCode && <div className="sub">{g.errorCode}</div>}
      </td>
      <td data-label="Words" className="num">
        {num(g.words)}
      </td>
      <td data-label="Tokens" className="num">
        {num(g.inputTokens + g.outputTokens)}
      </td>
      <td data-label="Cost" className="num">
        {usd(g.costUsd)}
        {g.costUnpriced && <div className="sub">incomplete</div>}
      </td>
      <td data-label="Time" className="num">
        {seconds(g.latencyMs)}
      </td>
    </tr>
  );
}

export const ErrorBoundary = PageError;
