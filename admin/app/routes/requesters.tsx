import { Link, useLocation } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { FilterInput, FilterSelect, Filters, withParam } from "../components/filters.tsx";
import { Meter } from "../components/meter.tsx";
import { Badge, EmptyState, PageError, PageHeader, Pager, useConsoleUser } from "../components/ui.tsx";
import { dateTime, PLATFORM_LABEL } from "../lib/format.ts";
import { readRequesterFilters, searchRequesters } from "../requesters.server.ts";
import type { Route } from "./+types/requesters";

export const meta: Route.MetaFunction = () => [{ title: "Requesters · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const filters = readRequesterFilters(new URL(request.url));
  return { filters, ...(await searchRequesters(context.app, context.pipeline, filters)) };
}

export default function Requesters({ loaderData }: Route.ComponentProps) {
  const { filters, items, next } = loaderData;
  const { search } = useLocation();
  const { timeZone } = useConsoleUser();
  const filtered = Boolean(filters.q || filters.platform || filters.status);
  return (
    <>
      <PageHeader
        title="Requesters"
        description="People who ask for articles: Slack users per workspace, LINE users per channel, console testers."
      />
      <Filters resetTo="/requesters" label="Search">
        <FilterInput
          label="Name, id or workspace"
          name="q"
          value={filters.q}
          placeholder="e.g. Somchai or U024BE7LH"
        />
        <FilterSelect
          label="Platform"
          name="platform"
          value={filters.platform}
          options={[
            { value: "", label: "All platforms" },
            ...Object.entries(PLATFORM_LABEL).map(([value, label]) => ({ value, label })),
          ]}
        />
        <FilterSelect
          label="Status"
          name="status"
          value={filters.status}
          options={[
            { value: "", label: "Any" },
            { value: "active", label: "Active" },
            { value: "blocked", label: "Blocked" },
          ]}
        />
        <FilterSelect
          label="Sort by"
          name="sort"
          value={filters.sort}
          options={[
            { value: "recent", label: "Newest first" },
            { value: "today", label: "Articles today" },
            { value: "month-articles", label: "Articles this month" },
            { value: "month-spend", label: "Spend this month" },
          ]}
        />
      </Filters>
      {items.length === 0 ? (
        <EmptyState title={filtered ? "Nobody matches these filters" : "No requesters yet"}>
          {filtered
            ? "Try a shorter name or clear the filters."
            : "Requesters appear the first time someone asks the bot in Slack or LINE, or in the playground."}
        </EmptyState>
      ) : (
        <div className="card flush">
          <table className="rtable">
            <thead>
              <tr>
                <th scope="col">Requester</th>
                <th scope="col">Workspace</th>
                <th scope="col">Tier</th>
                <th scope="col" aria-sort={filters.sort === "today" ? "descending" : undefined}>
                  Today
                </th>
                <th scope="col" aria-sort={filters.sort.startsWith("month") ? "descending" : undefined}>
                  This month
                </th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td data-label="Requester">
                    <Link to={`/requesters/${r.id}`} className="strong">
                      {r.name}
                    </Link>{" "}
                    {r.blocked && <Badge tone="bad">Blocked</Badge>}
                    <div className="sub">
                      {PLATFORM_LABEL[r.platform]} · {r.externalId}
                    </div>
                  </td>
                  <td data-label="Workspace">{r.workspace.name}</td>
                  <td data-label="Tier">
                    {r.tier.name}
                    {!r.tier.own && <div className="sub">workspace default</div>}
                  </td>
                  <td data-label="Today">
                    <Meter used={r.today.used} limit={r.today.limit} />
                  </td>
                  <td data-label="This month">
                    <Meter used={r.month.spentUsd} limit={r.month.budgetUsd} money />
                  </td>
                  <td data-label="Last seen">{dateTime(r.lastSeenAt ?? r.createdAt, timeZone)}</td>
                </tr>
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

export const ErrorBoundary = PageError;
