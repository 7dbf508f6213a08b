import { Form, useLocation } from "react-router";
import { z } from "zod";
import type { Platform } from "../../../core/db/client.ts";
import { monthEndForecast, readMessageQuota } from "../../../core/records/message-quota.ts";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import { setWorkspaceLimits, workspaceUsage } from "../budgets.server.ts";
import { FilterInput, FilterSelect, Filters, withParam } from "../components/filters.tsx";
import {
  ActionNotice,
  EmptyState,
  PageError,
  PageHeader,
  Pager,
  ReadOnlyNote,
  SubmitButton,
  useCanEdit,
} from "../components/ui.tsx";
import { num, PLATFORM_LABEL, pct, usd } from "../lib/format.ts";
import { done, field, invalid, parseForm } from "../lib/forms.server.ts";
import {
  activeTiers,
  PLATFORMS,
  renameWorkspace,
  setWorkspaceDefaultTier,
  setWorkspaceUpgradeNote,
} from "../requesters.server.ts";
import type { Route } from "./+types/workspaces";

export const meta: Route.MetaFunction = () => [{ title: "Workspaces · Article Bot console" }];
const PAGE = 25;

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const s = new URL(request.url).searchParams;
  const q = (s.get("q") ?? "").trim().slice(0, 100);
  const platform = (PLATFORMS as readonly string[]).includes(s.get("platform") ?? "")
    ? (s.get("platform") as Platform)
    : "";
  const after = s.get("after")?.slice(0, 64) || null;
  const [rows, tiers] = await Promise.all([
    context.app.db.prisma.tenant.findMany({
      where: {
        ...(platform ? { platform } : {}),
        ...(q
          ? {
              OR: [
                { name: { contains: q, mode: "insensitive" } },
                { externalId: { contains: q, mode: "insensitive" } },
              ],
            }
          : {}),
      },
      include: {
        defaultTier: { select: { id: true, name: true } },
        _count: { select: { requesters: true } },
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: PAGE + 1,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    }),
    activeTiers(context.app),
  ]);
  const page = rows.slice(0, PAGE);
  const usage = await workspaceUsage(
    context.app,
    page.map((t) => t.id),
  );
  const defaults = context.app.config.caps;
  return {
    defaults: {
      dailyArticles: defaults.tenantDailyArticles,
      monthlyBudgetUsd: defaults.tenantMonthlyBudgetUsd,
    },
    filters: { q, platform, after },
    next: rows.length > PAGE ? page.at(-1)!.id : null,
    tiers,
    workspaces: page.map((t) => ({
      id: t.id,
      name: t.name || t.externalId,
      ownName: t.name,
      externalId: t.externalId,
      platform: t.platform,
      requesters: t._count.requesters,
      defaultTier: t.defaultTier,
      upgradeNote: t.upgradeNote,
      messages: messagesThisMonth(t.messageQuota),
      dailyArticleLimit: t.dailyArticleLimit,
      monthlyBudgetUsd: t.monthlyBudgetUsd === null ? null : t.monthlyBudgetUsd.toFixed(2),
      usage: usage.get(t.id) ?? { articlesToday: 0, spentUsd: 0, projectedUsd: 0 },
    })),
  };
}

/** LINE's monthly message quota as the bot last read it: used, limit, where the month will end. */
function messagesThisMonth(value: unknown) {
  const q = readMessageQuota(value);
  return q ? { used: q.used, limit: q.limit, forecast: monthEndForecast(q.used), readAt: q.readAt } : null;
}

const Schema = z.object({
  id: z.string().min(1).max(64),
  tierId: z.string({ error: "Choose a tier." }).min(1, "Choose a tier.").max(64),
});

/** A LINE channel's upgrade line: what its clients read under a refusal ("Call 02-… for Pro"). */
const UpgradeSchema = z.object({
  id: z.string().min(1).max(64),
  upgradeNote: z
    .string()
    .max(300, "Keep the upgrade line within 300 characters.")
    .transform((v) => v.trim())
    .default(""),
});

const LimitsSchema = z.object({
  id: field.id("a workspace"),
  dailyArticleLimit: field.optionalWholeNumber("the daily article cap", 0, 1_000_000),
  monthlyBudgetUsd: field.decimal("the monthly budget", 2, 10_000_000, { optional: true }),
});

const RenameSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().trim().max(80, "Keep the name under 80 characters."),
});

export async function action({ request, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const form = await request.formData();
  if (form.get("intent") === "upgrade-note") {
    const note = parseForm(UpgradeSchema, form);
    if (!note.ok)
      return invalid({ ...note, formError: note.fieldErrors.upgradeNote ?? "Choose a workspace." });
    const saved = await setWorkspaceUpgradeNote(context.app, actor, note.data.id, note.data.upgradeNote);
    if (!saved.ok)
      return invalid({
        fieldErrors: saved.fieldErrors ?? {},
        formError: saved.formError,
        values: note.values,
      });
    return done(saved.notice);
  }
  if (form.get("intent") === "limits") {
    const limits = parseForm(LimitsSchema, form);
    if (!limits.ok) return invalid({ ...limits, intent: "limits" });
    const saved = await setWorkspaceLimits(context.app, actor, limits.data.id, limits.data);
    if (!saved.ok)
      return invalid({
        intent: "limits",
        fieldErrors: {},
        formError: saved.formError,
        values: limits.values,
      });
    return done(saved.notice, "limits");
  }
  if (form.get("intent") === "rename") {
    const rename = parseForm(RenameSchema, form);
    if (!rename.ok) return invalid({ ...rename, formError: rename.fieldErrors.name ?? "Type a name." });
    const renamed = await renameWorkspace(context.app, actor, rename.data.id, rename.data.name);
    if (!renamed.ok) return invalid({ fieldErrors: {}, formError: renamed.formError, values: rename.values });
    return done(renamed.notice);
  }
  const parsed = parseForm(Schema, form);
  if (!parsed.ok)
    return invalid({ ...parsed, formError: parsed.fieldErrors.tierId ?? "Choose a workspace and a tier." });
  const result = await setWorkspaceDefaultTier(context.app, actor, parsed.data.id, parsed.data.tierId);
  if (!result.ok)
    return invalid({
      fieldErrors: result.fieldErrors ?? {},
      formError: result.formError ?? result.fieldErrors?.tierId,
      values: parsed.values,
    });
  return done(result.notice);
}

export default function Workspaces({ loaderData, actionData }: Route.ComponentProps) {
  const { workspaces, tiers, filters, next, defaults } = loaderData;
  const limitErrors =
    actionData && "fieldErrors" in actionData && actionData.intent === "limits" ? actionData : null;
  const { search } = useLocation();
  const canEdit = useCanEdit();
  return (
    <>
      <PageHeader
        title="Workspaces"
        description="Slack workspaces and LINE channels. Their default tier applies to every requester who has no tier of their own; their caps (articles a day, a monthly budget) hold for all their requesters together. Both apply from the next request. A LINE channel's upgrade line ends every refusal its clients read."
      />
      <ReadOnlyNote what="rename workspaces or change default tiers" />
      <ActionNotice result={actionData} />
      <Filters resetTo="/workspaces" label="Search">
        <FilterInput label="Name or id" name="q" value={filters.q} />
        <FilterSelect
          label="Platform"
          name="platform"
          value={filters.platform}
          options={[
            { value: "", label: "All platforms" },
            ...Object.entries(PLATFORM_LABEL).map(([value, label]) => ({ value, label })),
          ]}
        />
      </Filters>
      {workspaces.length === 0 ? (
        <EmptyState title={filters.q || filters.platform ? "No workspace matches" : "No workspaces yet"}>
          Workspaces appear when the bot first hears from a Slack team or a LINE channel.
        </EmptyState>
      ) : (
        <div className="card flush">
          <table className="rtable">
            <thead>
              <tr>
                <th scope="col">Workspace</th>
                <th scope="col" className="num">
                  Requesters
                </th>
                <th scope="col">Default tier</th>
                <th scope="col">Upgrade line (LINE)</th>
                <th scope="col">This month</th>
                <th scope="col">Caps</th>
              </tr>
            </thead>
            <tbody>
              {workspaces.map((w) => (
                <tr key={w.id}>
                  <td data-label="Workspace">
                    <span className="strong">{w.name}</span>
                    <div className="sub">
                      {PLATFORM_LABEL[w.platform]} · {w.externalId}
                    </div>
                    {canEdit && (
                      <Form method="post" className="row-form rename-form">
                        <input type="hidden" name="intent" value="rename" />
                        <input type="hidden" name="id" value={w.id} />
                        <label className="visually-hidden" htmlFor={`name-${w.id}`}>
                          Name of {w.name}
                        </label>
                        <input
                          id={`name-${w.id}`}
                          name="name"
                          defaultValue={w.ownName}
                          placeholder={w.externalId}
                          maxLength={80}
                        />
                        <SubmitButton rowId={w.id} tone="secondary" pendingText="Renaming…">
                          Rename
                        </SubmitButton>
                      </Form>
                    )}
                    {w.messages && (
                      <div className="sub" title={`Read ${w.messages.readAt}`}>
                        {[
                          `Messages this month: ${num(w.messages.used)}`,
                          w.messages.limit === null ? " (no limit)" : ` of ${num(w.messages.limit)}`,
                          w.messages.forecast === null
                            ? ""
                            : ` · month-end forecast ${num(w.messages.forecast)}`,
                        ].join("")}
                      </div>
                    )}
                  </td>
                  <td data-label="Requesters" className="num">
                    {num(w.requesters)}
                  </td>
                  <td data-label="Default tier">
                    <Form method="post" className="row-form">
                      <input type="hidden" name="id" value={w.id} />
                      <label className="visually-hidden" htmlFor={`tier-${w.id}`}>
                        Default tier of {w.name}
                      </label>
                      <select
                        id={`tier-${w.id}`}
                        name="tierId"
                        defaultValue={w.defaultTier.id}
                        disabled={!canEdit}
                      >
                        {!tiers.some((t) => t.id === w.defaultTier.id) && (
                          <option value={w.defaultTier.id}>{w.defaultTier.name} (retired)</option>
                        )}
                        {tiers.map((t) => (
                          <option key={t.id} value={t.id}>
                            {t.name}
                          </option>
                        ))}
                      </select>
                      {canEdit && (
                        <SubmitButton rowId={w.id} tone="secondary" pendingText="Saving…">
                          Save
                        </SubmitButton>
                      )}
                    </Form>
                  </td>
                  <td data-label="Upgrade line (LINE)">
                    {w.platform === "LINE" ? (
                      <Form method="post" className="row-form">
                        <input type="hidden" name="id" value={w.id} />
                        <label className="visually-hidden" htmlFor={`upgrade-${w.id}`}>
                          Upgrade line of {w.name}
                        </label>
                        <input
                          id={`upgrade-${w.id}`}
                          name="upgradeNote"
                          defaultValue={w.upgradeNote}
                          maxLength={300}
                          placeholder="e.g. Call 02-123-4567 to move to Pro"
                          disabled={!canEdit}
                        />
                        {canEdit && (
                          <SubmitButton
                            rowId={w.id}
                            intent="upgrade-note"
                            tone="secondary"
                            pendingText="Saving…"
                          >
                            Save
                          </SubmitButton>
                        )}
                      </Form>
                    ) : (
                      <span className="sub">—</span>
                    )}
                  </td>
                  <td data-label="This month">
                    <WorkspaceMonth w={w} defaultBudget={defaults.monthlyBudgetUsd} />
                  </td>
                  <td data-label="Caps">
                    <Form method="post" className="row-form caps-form">
                      <input type="hidden" name="id" value={w.id} />
                      <label>
                        Articles a day
                        <input
                          name="dailyArticleLimit"
                          inputMode="numeric"
                          size={6}
                          defaultValue={w.dailyArticleLimit ?? ""}
                          placeholder={
                            defaults.dailyArticles === null ? "none" : `${defaults.dailyArticles} (default)`
                          }
                          aria-label={`Daily article cap of ${w.name}`}
                          disabled={!canEdit}
                        />
                      </label>
                      <label>
                        Budget a month (USD)
                        <input
                          name="monthlyBudgetUsd"
                          inputMode="decimal"
                          size={8}
                          defaultValue={w.monthlyBudgetUsd ?? ""}
                          placeholder={
                            defaults.monthlyBudgetUsd === null
                              ? "none"
                              : `${defaults.monthlyBudgetUsd} (default)`
                          }
                          aria-label={`Monthly budget of ${w.name}`}
                          disabled={!canEdit}
                        />
                      </label>
                      {canEdit && (
                        <SubmitButton intent="limits" rowId={w.id} tone="secondary" pendingText="Saving…">
                          Save caps
                        </SubmitButton>
                      )}
                      {limitErrors?.values?.id === w.id && (
                        <p className="field-error" role="alert">
                          {Object.values(limitErrors.fieldErrors)[0] ?? limitErrors.formError}
                        </p>
                      )}
                    </Form>
                  </td>
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

/** Used/limit with the month-end projection; blank caps fall back to the environment default. */
function WorkspaceMonth({
  w,
  defaultBudget,
}: {
  w: {
    monthlyBudgetUsd: string | null;
    usage: { articlesToday: number; spentUsd: number; projectedUsd: number };
  };
  defaultBudget: number | null;
}) {
  const limit = w.monthlyBudgetUsd !== null ? Number(w.monthlyBudgetUsd) : defaultBudget;
  return (
    <>
      <span className="strong">
        {usd(w.usage.spentUsd)}
        {limit === null ? "" : ` of ${usd(limit)} (${pct(w.usage.spentUsd / limit, 0)})`}
      </span>
      <div className="sub">
        {usd(w.usage.projectedUsd)} by month end · {num(w.usage.articlesToday)} articles today
      </div>
    </>
  );
}

export const ErrorBoundary = PageError;
