import { useEffect, useState } from "react";
import { Link, useFetcher } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { EmptyState, Notice, PageError, PageHeader, ReadOnlyNote, useCanEdit } from "../components/ui.tsx";
import { num, PLATFORM_LABEL, pct, usd } from "../lib/format.ts";
import { type LimitRow, loadLimits, type RefusalReason } from "../limits.server.ts";
import { activeTiers } from "../requesters.server.ts";
import type { Route } from "./+types/limits";

export const meta: Route.MetaFunction = () => [{ title: "Limits · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const [limits, tiers] = await Promise.all([
    loadLimits(context.app, context.pipeline),
    activeTiers(context.app),
  ]);
  return { ...limits, tiers, timeZone: context.app.config.quotaTimeZone };
}

/** What a row's last action answered; shown at the page's top, since the row may leave its table. */
interface RowResult {
  tone: "success" | "error";
  text: string;
}
type OnResult = (result: RowResult) => void;

export default function Limits({ loaderData }: Route.ComponentProps) {
  const { refusedToday, refusedMonth, near, reasons, tiers, timeZone } = loaderData;
  // A reset takes the person off "near a limit": their row, and a notice inside it, would vanish
  // as the page reloads its data, so the notice lives here.
  const [result, setResult] = useState<RowResult | null>(null);
  return (
    <>
      <PageHeader
        title="Limits"
        description={`Who was refused, and who is close to a limit. Days and months in ${timeZone} (the quota time zone).`}
      />
      <ReadOnlyNote what="reset quotas or change tiers" />
      <div aria-live="polite">{result && <Notice tone={result.tone}>{result.text}</Notice>}</div>
      <RefusalsByLimit reasons={reasons} />
      <LimitTable
        title="At or above 80 % of their daily limit or monthly budget"
        rows={near}
        tiers={tiers}
        empty="Nobody is near a limit."
        onResult={setResult}
      />
      <LimitTable
        title="Refused today"
        rows={refusedToday}
        tiers={tiers}
        empty="Nobody was refused today."
        onResult={setResult}
      />
      <LimitTable
        title="Refused this month"
        rows={refusedMonth}
        tiers={tiers}
        empty="Nobody was refused this month."
        onResult={setResult}
      />
    </>
  );
}

/** This month's refusals by the limit that refused them, each label from the one label map. */
function RefusalsByLimit({ reasons }: { reasons: RefusalReason[] }) {
  return (
    <section className="card flush" aria-labelledby="refusals-by-limit">
      <h2 id="refusals-by-limit" className="card-title">
        Refusals by limit
      </h2>
      {reasons.length === 0 ? (
        <EmptyState title="No refusals this month">
          Each refusal is counted under the limit that made it.
        </EmptyState>
      ) : (
        <table className="rtable">
          <thead>
            <tr>
              <th scope="col">Limit</th>
              <th scope="col" className="num">
                Today
              </th>
              <th scope="col" className="num">
                This month
              </th>
              <th scope="col" className="num">
                Requesters
              </th>
            </tr>
          </thead>
          <tbody>
            {reasons.map((r) => (
              <tr key={r.reason} data-reason={r.reason}>
                <td data-label="Limit">{r.label}</td>
                <td data-label="Today" className="num">
                  {num(r.today)}
                </td>
                <td data-label="This month" className="num">
                  {num(r.month)}
                </td>
                <td data-label="Requesters" className="num">
                  {num(r.requesters)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LimitTable({
  title,
  rows,
  tiers,
  empty,
  onResult,
}: {
  title: string;
  rows: LimitRow[];
  tiers: Array<{ id: string; name: string }>;
  empty: string;
  onResult: OnResult;
}) {
  const id = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return (
    <section className="card flush" aria-labelledby={id}>
      <h2 id={id} className="card-title">
        {title}
      </h2>
      {rows.length === 0 ? (
        <EmptyState title={empty}>Refusals and use near a limit appear here as they happen.</EmptyState>
      ) : (
        <table className="rtable">
          <thead>
            <tr>
              <th scope="col">Requester</th>
              <th scope="col">Tier</th>
              <th scope="col" className="num">
                Today
              </th>
              <th scope="col" className="num">
                This month
              </th>
              <th scope="col" className="num">
                Refused
              </th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <LimitRowView key={r.id} r={r} tiers={tiers} table={id} onResult={onResult} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function LimitRowView({
  r,
  tiers,
  table,
  onResult,
}: {
  r: LimitRow;
  tiers: Array<{ id: string; name: string }>;
  /** A person can be in two tables: their fields' ids must not collide. */
  table: string;
  onResult: OnResult;
}) {
  const canEdit = useCanEdit();
  const reset = useFetcher<{ ok: boolean; notice?: string; formError?: string }>();
  const tier = useFetcher<{ ok: boolean; notice?: string; formError?: string }>();
  useEffect(() => {
    for (const d of [reset.data, tier.data]) {
      if (d?.notice) onResult({ tone: "success", text: d.notice });
      else if (d?.formError) onResult({ tone: "error", text: d.formError });
    }
  }, [reset.data, tier.data, onResult]);
  return (
    <tr data-requester={r.id}>
      <td data-label="Requester">
        <Link to={`/requesters/${r.id}`} className="strong">
          {r.name}
        </Link>
        <div className="sub">
          {PLATFORM_LABEL[r.platform] ?? r.platform} · {r.workspace}
        </div>
      </td>
      <td data-label="Tier">
        {r.tier.name}
        {r.tier.own ? "" : " (workspace default)"}
      </td>
      <td data-label="Today" className="num">
        {r.today.limit === null ? `${r.today.used} (no limit)` : `${r.today.used} of ${r.today.limit}`}
        {r.today.share !== null && <div className="sub">{pct(r.today.share, 0)}</div>}
      </td>
      <td data-label="This month" className="num">
        {r.month.budgetUsd === null
          ? `${usd(r.month.spentUsd)} (no budget)`
          : `${usd(r.month.spentUsd)} of ${usd(r.month.budgetUsd)}`}
        {r.month.share !== null && <div className="sub">{pct(r.month.share, 0)}</div>}
      </td>
      <td data-label="Refused" className="num">
        {`${r.refused.today} today · ${r.refused.month} this month`}
        {r.reasons.length > 0 && <div className="sub">{r.reasons.join(", ")}</div>}
        <div className="sub">
          <Link to={`/generations?requester=${r.id}`}>their generations</Link>
        </div>
      </td>
      <td data-label="Actions">
        {canEdit ? (
          <div className="inline-actions">
            <reset.Form method="post" action={`/requesters/${r.id}`}>
              <button type="submit" name="intent" value="reset" className="button secondary small">
                {reset.state === "idle" ? "Reset today" : "Resetting…"}
              </button>
            </reset.Form>
            <tier.Form method="post" action={`/requesters/${r.id}`} className="inline-tier">
              <input type="hidden" name="intent" value="tier" />
              <label className="visually-hidden" htmlFor={`${table}-tier-${r.id}`}>
                Tier for {r.name}
              </label>
              <select id={`${table}-tier-${r.id}`} name="tierId" defaultValue={r.tier.own ? r.tier.id : ""}>
                <option value="">Workspace default</option>
                {tiers.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
              <button type="submit" className="button secondary small">
                {tier.state === "idle" ? "Change tier" : "Saving…"}
              </button>
            </tier.Form>
          </div>
        ) : (
          "—"
        )}
      </td>
    </tr>
  );
}

export const ErrorBoundary = PageError;
