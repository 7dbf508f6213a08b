import { Form } from "react-router";
import { z } from "zod";
import { monthlyBudgets } from "../../../core/budget/budgets.ts";
import { deliveredTotals, limitSettings } from "../../../core/quota/caps.ts";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import { saveLimitSettings } from "../budgets.server.ts";
import {
  ActionNotice,
  Field,
  PageError,
  PageHeader,
  ReadOnlyNote,
  SubmitButton,
  useCanEdit,
} from "../components/ui.tsx";
import { pct, usd } from "../lib/format.ts";
import { done, field, invalid, parseForm } from "../lib/forms.server.ts";
import type { Route } from "./+types/settings";

export const meta: Route.MetaFunction = () => [{ title: "Budgets and alerts · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const { db, config } = context.app;
  const now = new Date();
  const [settings, report, totals] = await Promise.all([
    limitSettings(db),
    monthlyBudgets(db, config.caps, config.quotaTimeZone, now),
    deliveredTotals(db, null, now, config.quotaTimeZone),
  ]);
  return {
    settings,
    defaults: config.caps,
    emailReady: config.smtp !== null,
    month: { period: report.period, ...report.overall },
    todayUsd: totals.overallTodayUsd,
  };
}

const optionalEmail = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? null : typeof v === "string" ? v.trim() : v),
  z.union([z.null(), z.email({ message: "Enter an email address, or leave it blank." }).max(254)]),
);
const optionalWebhook = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? null : typeof v === "string" ? v.trim() : v),
  z.union([
    z.null(),
    z
      .string()
      .max(500, "Keep the URL under 500 characters.")
      .refine((v) => {
        try {
          return new URL(v).protocol === "https:";
        } catch {
          return false;
        }
      }, "Enter the webhook's https:// URL (Slack shows it as https://hooks.slack.com/services/…)."),
  ]),
);

const Schema = z.object({
  dailySpendUsd: field.decimal("the daily spend cap", 2, 1_000_000, { optional: true }),
  monthlyBudgetUsd: field.decimal("the monthly budget", 2, 10_000_000, { optional: true }),
  alertWebhookUrl: optionalWebhook,
  alertEmail: optionalEmail,
});

export async function action({ request, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const parsed = parseForm(Schema, await request.formData());
  if (!parsed.ok) return invalid(parsed);
  const result = await saveLimitSettings(context.app, actor, parsed.data);
  if (!result.ok) return invalid({ fieldErrors: {}, formError: result.formError, values: parsed.values });
  return done(result.notice);
}

const envNote = (v: number | null, unit: string) =>
  v === null
    ? "Blank: no cap (no environment default)."
    : `Blank: the environment default, ${usd(v)}${unit}.`;

export default function Settings({ loaderData, actionData }: Route.ComponentProps) {
  const { settings, defaults, month, todayUsd, emailReady } = loaderData;
  const canEdit = useCanEdit();
  const errors = actionData && "fieldErrors" in actionData ? actionData.fieldErrors : {};
  const values = actionData && "values" in actionData ? actionData.values : null;
  const val = (name: string, saved: string | number | null) =>
    values?.[name] ?? (saved === null ? "" : String(saved));
  const share = month.limitUsd ? month.spentUsd / month.limitUsd : null;
  return (
    <>
      <PageHeader
        title="Budgets and alerts"
        description="Caps over all workspaces together, and where budget alerts go. Each workspace's own caps are on the Workspaces page; each requester's are their tier's."
      />
      <ReadOnlyNote what="change overall limits" />
      <ActionNotice result={actionData} />
      <section className="card">
        <h2>This month ({month.period})</h2>
        <dl className="stats">
          <div className="stat">
            <dt>Overall budget used</dt>
            <dd>{month.limitUsd === null ? "No budget" : pct(share, 0)}</dd>
            <dd className="stat-sub">
              {usd(month.spentUsd)}
              {month.limitUsd === null ? " spent" : ` of ${usd(month.limitUsd)}`}; {usd(month.projectedUsd)}{" "}
              by month end at this pace
            </dd>
          </div>
          <div className="stat">
            <dt>Spent today</dt>
            <dd>{usd(todayUsd)}</dd>
            <dd className="stat-sub">
              {month.dailySpendUsd === null ? "no daily cap" : `of a ${usd(month.dailySpendUsd)} daily cap`}
            </dd>
          </div>
        </dl>
      </section>
      <Form method="post" className="card form" aria-labelledby="limits-title">
        <h2 id="limits-title">Overall limits</h2>
        <p className="hint">
          When one is reached, requests are refused with a message that says so, until midnight or the month's
          end. A value saved here wins over the environment default.
        </p>
        <Field
          label="Daily spend cap (USD)"
          name="dailySpendUsd"
          inputMode="decimal"
          defaultValue={val("dailySpendUsd", settings.dailySpendUsd)}
          error={errors.dailySpendUsd}
          hint={envNote(defaults.overallDailySpendUsd, " a day")}
          disabled={!canEdit}
        />
        <Field
          label="Monthly budget (USD)"
          name="monthlyBudgetUsd"
          inputMode="decimal"
          defaultValue={val("monthlyBudgetUsd", settings.monthlyBudgetUsd)}
          error={errors.monthlyBudgetUsd}
          hint={envNote(defaults.overallMonthlyBudgetUsd, " a month")}
          disabled={!canEdit}
        />
        <h2>Budget alerts</h2>
        <p className="hint">
          At 80 % and 100 % of the overall and each workspace's monthly budget, once per threshold per month.
        </p>
        <Field
          label="Slack incoming webhook URL"
          name="alertWebhookUrl"
          type="url"
          autoComplete="off"
          defaultValue={val("alertWebhookUrl", settings.alertWebhookUrl)}
          error={errors.alertWebhookUrl}
          hint="Blank: no Slack alerts."
          disabled={!canEdit}
        />
        <Field
          label="Email address"
          name="alertEmail"
          type="email"
          defaultValue={val("alertEmail", settings.alertEmail)}
          error={errors.alertEmail}
          hint={
            emailReady
              ? "Blank: no email alerts."
              : "Email needs SMTP_URL set on the server; until then nothing is sent."
          }
          disabled={!canEdit}
        />
        {canEdit && <SubmitButton pendingText="Saving…">Save limits and alerts</SubmitButton>}
      </Form>
    </>
  );
}

export const ErrorBoundary = PageError;
