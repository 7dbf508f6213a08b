import { data, Form, Link } from "react-router";
import { z } from "zod";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import { Meter } from "../components/meter.tsx";
import {
  ActionNotice,
  Badge,
  EmptyState,
  PageError,
  PageHeader,
  ReadOnlyNote,
  Select,
  SubmitButton,
  useCanEdit,
  useConsoleUser,
} from "../components/ui.tsx";
import { dateTime, num, PLATFORM_LABEL, STATUS_LABEL, usd } from "../lib/format.ts";
import { done, invalid, parseForm } from "../lib/forms.server.ts";
import { loadRequester, resetToday, setBlocked, setRequesterTier } from "../requesters.server.ts";
import type { Route } from "./+types/requester";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.requester.name ?? "Requester"} · Article Bot console` },
];

export async function loader({ request, params, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const found = await loadRequester(context.app, context.pipeline, params.id);
  if (!found) throw data({ message: "There is no such requester." }, { status: 404 });
  return found;
}

const ActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("tier"), tierId: z.string().max(64) }),
    z.object({ intent: z.literal("reset") }),
    z.object({ intent: z.literal("block") }),
    z.object({ intent: z.literal("unblock") }),
  ],
  { error: "Unknown action." },
);

export async function action({ request, params, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const parsed = parseForm(ActionSchema, await request.formData());
  if (!parsed.ok) return invalid({ ...parsed, formError: parsed.fieldErrors.intent });
  const { app, pipeline } = context;
  const input = parsed.data;
  const result =
    input.intent === "tier"
      ? await setRequesterTier(app, actor, params.id, input.tierId)
      : input.intent === "reset"
        ? await resetToday(app, pipeline, actor, params.id)
        : await setBlocked(app, actor, params.id, input.intent === "block");
  if (!result.ok)
    return invalid({
      intent: input.intent,
      fieldErrors: result.fieldErrors ?? {},
      formError: result.formError,
      values: parsed.values,
    });
  return done(result.notice, input.intent);
}

export default function RequesterPage({ loaderData, actionData }: Route.ComponentProps) {
  const { requester: r, recent, tiers } = loaderData;
  const { timeZone } = useConsoleUser();
  const canEdit = useCanEdit();
  const tierError =
    actionData && !actionData.ok && actionData.intent === "tier" ? actionData.fieldErrors.tierId : undefined;
  return (
    <>
      <PageHeader
        title={r.name}
        description={
          <>
            <Link to="/requesters">← Requesters</Link> · {PLATFORM_LABEL[r.platform]} · {r.externalId} ·
            workspace {r.workspace.name}
          </>
        }
        actions={r.blocked ? <Badge tone="bad">Blocked</Badge> : <Badge tone="good">Active</Badge>}
      />
      <ReadOnlyNote what="change requesters" />
      <ActionNotice result={actionData} />
      <div className="grid two">
        <section className="card">
          <h2>Today</h2>
          <Meter used={r.today.used} limit={r.today.limit} />
          <p className="muted small">
            {num(r.today.delivered)} delivered, {num(r.today.inFlight)} being written
            {r.today.forgiven ? `, ${num(r.today.forgiven)} forgiven by a reset` : ""}. Resets{" "}
            {dateTime(r.today.resetsAt, timeZone)}.
          </p>
          {canEdit && (
            <Form method="post">
              <SubmitButton intent="reset" tone="secondary" pendingText="Resetting…">
                Reset today's quota
              </SubmitButton>
            </Form>
          )}
        </section>
        <section className="card">
          <h2>This month</h2>
          <Meter used={r.month.spentUsd} limit={r.month.budgetUsd} money />
          <p className="muted small">
            Spent against the tier's monthly budget. Resets {dateTime(r.month.resetsAt, timeZone)}.
          </p>
        </section>
      </div>
      <div className="grid two">
        <section className="card">
          <h2>Tier</h2>
          <p>
            On <strong>{r.tier.name}</strong>{" "}
            {r.tier.own ? "(set for this requester)" : `(the workspace's default)`}
            {r.tier.retired && <Badge tone="warn">Retired tier</Badge>}
          </p>
          <Form method="post" className="inline-form">
            <fieldset disabled={!canEdit}>
              <Select
                label="Change tier"
                name="tierId"
                defaultValue={r.tier.own ? r.tier.id : ""}
                error={tierError}
                options={[
                  { value: "", label: `Workspace default (${r.workspace.defaultTierName})` },
                  ...tiers.map((t) => ({ value: t.id, label: t.name })),
                ]}
              />
            </fieldset>
            {canEdit && (
              <SubmitButton intent="tier" pendingText="Saving…">
                Save tier
              </SubmitButton>
            )}
          </Form>
        </section>
        <section className="card">
          <h2>Access</h2>
          <p className="muted">
            {r.blocked
              ? "Blocked requesters are told politely that they cannot request articles."
              : "A blocked requester's messages are answered with a polite refusal and nothing is generated."}
          </p>
          {canEdit && (
            <Form method="post">
              {r.blocked ? (
                <SubmitButton intent="unblock" tone="secondary" pendingText="Unblocking…">
                  Unblock
                </SubmitButton>
              ) : (
                <SubmitButton intent="block" tone="danger" pendingText="Blocking…">
                  Block requester
                </SubmitButton>
              )}
            </Form>
          )}
        </section>
      </div>
      <section className="card">
        <h2>Recent articles</h2>
        {recent.length === 0 ? (
          <EmptyState title="No articles yet" />
        ) : (
          <table className="rtable">
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">
                  Words
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((g) => (
                <tr key={g.id}>
                  <td data-label="Topic">
                    <Link to={`/generations/${g.id}`}>{g.topic}</Link>{" "}
                    {g.cacheHit && <Badge tone="accent">cache</Badge>}
                  </td>
                  <td data-label="Status">{STATUS_LABEL[g.status]}</td>
                  <td data-label="Words" className="num">
                    {num(g.words)}
                  </td>
                  <td data-label="Cost" className="num">
                    {usd(g.costUsd)}
                  </td>
                  <td data-label="When">{dateTime(g.createdAt, timeZone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <Link to={`/generations?requester=${r.id}`}>All of {r.name}'s articles →</Link>
        </p>
      </section>
    </>
  );
}

export const ErrorBoundary = PageError;
