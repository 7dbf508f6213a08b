import { data, Form, Link } from "react-router";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import { TierForm, tierFormValues } from "../components/tier-form.tsx";
import {
  ActionNotice,
  Badge,
  PageError,
  PageHeader,
  ReadOnlyNote,
  SubmitButton,
  useCanEdit,
  useConsoleUser,
} from "../components/ui.tsx";
import { dateTime, num } from "../lib/format.ts";
import { done, invalid, parseForm } from "../lib/forms.server.ts";
import {
  knownModels,
  PROTECTED_TIER_NAMES,
  setTierRetired,
  TierSchema,
  tierUsage,
  tierView,
  updateTier,
} from "../tiers.server.ts";
import type { Route } from "./+types/tier";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.tier.name ?? "Tier"} · Article Bot console` },
];

export async function loader({ request, params, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const tier = await context.app.db.prisma.tier.findUnique({ where: { id: params.id } });
  if (!tier) throw data({ message: "There is no such tier: it may have been deleted." }, { status: 404 });
  const [usage, models] = await Promise.all([tierUsage(context.app), knownModels(context.app)]);
  return {
    tier: tierView(tier),
    usage: usage.get(tier.id) ?? { direct: 0, inherited: 0, workspaces: 0 },
    models,
    protectedName: PROTECTED_TIER_NAMES.has(tier.name),
  };
}

export async function action({ request, params, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "save");
  if (intent === "retire" || intent === "restore") {
    const result = await setTierRetired(context.app, actor, params.id, intent === "retire");
    if (!result.ok) return invalid({ intent, fieldErrors: {}, formError: result.formError });
    return done(
      intent === "retire" ? "Tier retired: it no longer appears in tier pickers." : "Tier restored.",
      intent,
    );
  }
  const parsed = parseForm(TierSchema, form);
  if (!parsed.ok) return invalid({ ...parsed, intent });
  const result = await updateTier(context.app, actor, params.id, parsed.data);
  if (!result.ok)
    return invalid({
      intent,
      fieldErrors: result.fieldErrors ?? {},
      formError: result.formError,
      values: parsed.values,
    });
  return done(
    result.tier ? "Tier saved. The bots use the new limits from the next request." : "Nothing changed.",
    intent,
  );
}

export default function TierPage({ loaderData, actionData }: Route.ComponentProps) {
  const { tier, usage, models, protectedName } = loaderData;
  const { timeZone } = useConsoleUser();
  const canEdit = useCanEdit();
  const failed = actionData && !actionData.ok && actionData.intent === "save" ? actionData : null;
  const values = failed ? { ...tierFormValues(tier), ...failed.values } : tierFormValues(tier);
  return (
    <>
      <PageHeader
        title={tier.name}
        description={
          <>
            <Link to="/tiers">← All tiers</Link> · {num(usage.direct + usage.inherited)} requesters (
            {num(usage.direct)} set directly, {num(usage.inherited)} through their workspace) · default of{" "}
            {num(usage.workspaces)} workspace{usage.workspaces === 1 ? "" : "s"} · updated{" "}
            {dateTime(tier.updatedAt, timeZone)}
          </>
        }
        actions={tier.retiredAt ? <Badge tone="warn">Retired</Badge> : undefined}
      />
      <ReadOnlyNote what="change tiers" />
      <ActionNotice result={actionData} />
      <section className="card">
        <h2>Limits</h2>
        <TierForm
          key={tier.updatedAt}
          values={values}
          errors={failed?.fieldErrors ?? {}}
          models={models}
          submitLabel="Save changes"
          pendingLabel="Saving…"
          nameLocked={
            protectedName ? "New workspaces start on this tier by name, so its name stays." : undefined
          }
        />
      </section>
      {canEdit && (
        <section className="card">
          <h2>{tier.retiredAt ? "Restore" : "Retire"}</h2>
          <p className="muted">
            {tier.retiredAt
              ? "A retired tier is hidden from tier pickers. Restore it to offer it again."
              : "Retiring hides the tier from pickers. Only a tier nobody is on can be retired; move its requesters and workspaces first."}
          </p>
          <Form method="post">
            <SubmitButton
              intent={tier.retiredAt ? "restore" : "retire"}
              tone={tier.retiredAt ? "secondary" : "danger"}
              pendingText="Working…"
              disabled={!tier.retiredAt && protectedName}
            >
              {tier.retiredAt ? "Restore tier" : "Retire tier"}
            </SubmitButton>
          </Form>
        </section>
      )}
    </>
  );
}

export const ErrorBoundary = PageError;
