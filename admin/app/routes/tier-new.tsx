import { Link, redirect } from "react-router";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import { TierForm } from "../components/tier-form.tsx";
import { ActionNotice, PageError, PageHeader, ReadOnlyNote } from "../components/ui.tsx";
import { invalid, parseForm } from "../lib/forms.server.ts";
import { createTier, knownModels, TierSchema } from "../tiers.server.ts";
import type { Route } from "./+types/tier-new";

export const meta: Route.MetaFunction = () => [{ title: "New tier · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  return { models: await knownModels(context.app) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const parsed = parseForm(TierSchema, await request.formData());
  if (!parsed.ok) return invalid(parsed);
  const result = await createTier(context.app, actor, parsed.data);
  if (!result.ok)
    return invalid({
      fieldErrors: result.fieldErrors ?? {},
      formError: result.formError,
      values: parsed.values,
    });
  throw redirect(`/tiers?${new URLSearchParams({ created: result.tier!.name })}`);
}

const BLANK = {
  name: "",
  description: "",
  dailyArticleLimit: "20",
  burstPerMinute: "10",
  maxWords: "1500",
  monthlyBudgetUsd: "",
  allowedModel: "",
  cacheScope: "TENANT",
  revisionsPerDraft: "3",
  linePushPolicy: "FALLBACK",
};

export default function NewTier({ loaderData, actionData }: Route.ComponentProps) {
  const values = { ...BLANK, ...(actionData && !actionData.ok ? actionData.values : {}) };
  return (
    <>
      <PageHeader title="New tier" description={<Link to="/tiers">← All tiers</Link>} />
      <ReadOnlyNote what="create tiers" />
      <ActionNotice result={actionData} />
      <section className="card">
        <TierForm
          values={values}
          errors={actionData && !actionData.ok ? actionData.fieldErrors : {}}
          models={loaderData.models}
          submitLabel="Create tier"
          pendingLabel="Creating…"
        />
      </section>
    </>
  );
}

export const ErrorBoundary = PageError;
