import { Link } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { Badge, EmptyState, Notice, PageError, PageHeader, useCanEdit } from "../components/ui.tsx";
import { num, SCOPE_LABEL, usd } from "../lib/format.ts";
import { tierUsage, tierView } from "../tiers.server.ts";
import type { Route } from "./+types/tiers";

export const meta: Route.MetaFunction = () => [{ title: "Tiers · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const [tiers, usage] = await Promise.all([
    context.app.db.prisma.tier.findMany({
      orderBy: [{ retiredAt: { sort: "asc", nulls: "first" } }, { name: "asc" }],
    }),
    tierUsage(context.app),
  ]);
  const created = new URL(request.url).searchParams.get("created");
  return {
    created: created && tiers.some((t) => t.name === created) ? created : null,
    tiers: tiers.map((t) => ({
      ...tierView(t),
      usage: usage.get(t.id) ?? { direct: 0, inherited: 0, workspaces: 0 },
    })),
  };
}

export default function Tiers({ loaderData }: Route.ComponentProps) {
  const canEdit = useCanEdit();
  const { tiers, created } = loaderData;
  return (
    <>
      <PageHeader
        title="Tiers"
        description="Quotas and limits per plan. The bots read tiers on every request: a saved change applies to the next article, and today's count is kept."
        actions={
          canEdit && (
            <Link to="/tiers/new" className="button primary">
              New tier
            </Link>
          )
        }
      />
      {created && <Notice tone="success">Tier “{created}” created.</Notice>}
      {tiers.length === 0 ? (
        <EmptyState title="No tiers yet">
          Create one to start: every workspace needs a default tier.
        </EmptyState>
      ) : (
        <div className="card flush">
          <table className="rtable">
            <thead>
              <tr>
                <th scope="col">Tier</th>
                <th scope="col" className="num">
                  Per day
                </th>
                <th scope="col" className="num">
                  Burst / min
                </th>
                <th scope="col" className="num">
                  Max words
                </th>
                <th scope="col" className="num">
                  Budget / month
                </th>
                <th scope="col">Model</th>
                <th scope="col">Cache</th>
                <th scope="col" className="num">
                  Requesters
                </th>
              </tr>
            </thead>
            <tbody>
              {tiers.map((t) => (
                <tr key={t.id} className={t.retiredAt ? "muted-row" : undefined}>
                  <td data-label="Tier">
                    <Link to={`/tiers/${t.id}`} className="strong">
                      {t.name}
                    </Link>{" "}
                    {t.retiredAt && <Badge>Retired</Badge>}
                    {t.description && <div className="sub">{t.description}</div>}
                  </td>
                  <td data-label="Per day" className="num">
                    {t.dailyArticleLimit === null ? "Unlimited" : num(t.dailyArticleLimit)}
                  </td>
                  <td data-label="Burst / min" className="num">
                    {num(t.burstPerMinute)}
                  </td>
                  <td data-label="Max words" className="num">
                    {num(t.maxWords)}
                  </td>
                  <td data-label="Budget / month" className="num">
                    {t.monthlyBudgetUsd === null ? "No cap" : usd(t.monthlyBudgetUsd)}
                  </td>
                  <td data-label="Model">{t.allowedModel ?? <span className="sub">default</span>}</td>
                  <td data-label="Cache">{SCOPE_LABEL[t.cacheScope]}</td>
                  <td data-label="Requesters" className="num">
                    <span
                      title={`${t.usage.direct} set directly, ${t.usage.inherited} through their workspace's default`}
                    >
                      {num(t.usage.direct + t.usage.inherited)}
                    </span>
                    <div className="sub">
                      {num(t.usage.workspaces)} workspace{t.usage.workspaces === 1 ? "" : "s"} default
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

export const ErrorBoundary = PageError;
