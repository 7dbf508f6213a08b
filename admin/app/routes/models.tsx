import { Form } from "react-router";
import { z } from "zod";
import { audited, diff } from "../../../core/admin/audit.ts";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import {
  ActionNotice,
  EmptyState,
  Field,
  PageError,
  PageHeader,
  ReadOnlyNote,
  SubmitButton,
  useCanEdit,
  useConsoleUser,
} from "../components/ui.tsx";
import { dateTime, price } from "../lib/format.ts";
import { done, field, invalid, parseForm } from "../lib/forms.server.ts";
import type { Route } from "./+types/models";

export const meta: Route.MetaFunction = () => [{ title: "Models & prices · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const prices = await context.app.db.prisma.modelPrice.findMany({ orderBy: { model: "asc" } });
  return {
    defaultModel: context.pipeline.generator.model,
    embeddingModel: context.pipeline.retrieval.embedder.model,
    prices: prices.map((p) => ({
      model: p.model,
      input: p.inputPerMTokUsd.toString(),
      output: p.outputPerMTokUsd.toString(),
      updatedAt: p.updatedAt.toISOString(),
    })),
  };
}

const PriceSchema = z.object({
  model: field
    .text("the model id", 100)
    .pipe(
      z
        .string()
        .regex(
          /^[A-Za-z0-9._:/-]+$/,
          "A model id has no spaces, like gpt-4o-mini or ft:gpt-4o-mini:acme::id.",
        ),
    ),
  input: field.decimal("the input price", 6, 1_000),
  output: field.decimal("the output price", 6, 1_000),
});

export async function action({ request, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const form = await request.formData();
  const intent = form.get("intent") === "create" ? "create" : "update";
  const parsed = parseForm(PriceSchema, form);
  if (!parsed.ok) return invalid({ ...parsed, intent });
  const { model } = parsed.data;
  const input = parsed.data.input ?? "0";
  const output = parsed.data.output ?? "0";
  const result = await audited<{ notice: string } | { error: Record<string, string> }>(
    context.app.db,
    actor,
    async (tx) => {
      const before = await tx.modelPrice.findUnique({ where: { model } });
      if (intent === "create" && before)
        return {
          audit: null,
          value: { error: { model: `${model} already has a price: edit it in the table.` } },
        };
      if (intent === "update" && !before)
        return { audit: null, value: { error: { model: `${model} has no price yet.` } } };
      const fresh = {
        inputPerMTokUsd: Number(input).toString(),
        outputPerMTokUsd: Number(output).toString(),
      };
      if (before) {
        const changed = diff(
          {
            inputPerMTokUsd: before.inputPerMTokUsd.toString(),
            outputPerMTokUsd: before.outputPerMTokUsd.toString(),
          },
          fresh,
        );
        if (!changed) return { audit: null, value: { notice: "Nothing changed." } };
        await tx.modelPrice.update({
          where: { model },
          data: { inputPerMTokUsd: input, outputPerMTokUsd: output },
        });
        return {
          audit: { action: "price.update", entityType: "ModelPrice", entityId: model, ...changed },
          value: {
            notice: `${model} repriced. Costs from now on use the new price; past costs stay as recorded.`,
          },
        };
      }
      await tx.modelPrice.create({ data: { model, inputPerMTokUsd: input, outputPerMTokUsd: output } });
      return {
        audit: { action: "price.create", entityType: "ModelPrice", entityId: model, after: fresh },
        value: { notice: `${model} priced.` },
      };
    },
  );
  if ("error" in result) return invalid({ intent, fieldErrors: result.error, values: parsed.values });
  return done(result.notice, intent);
}

export default function Models({ loaderData, actionData }: Route.ComponentProps) {
  const { prices, defaultModel, embeddingModel } = loaderData;
  const { timeZone } = useConsoleUser();
  const canEdit = useCanEdit();
  const failed = actionData && !actionData.ok ? actionData : null;
  const created = failed?.intent === "create" ? failed : null;
  return (
    <>
      <PageHeader
        title="Models & prices"
        description={
          <>
            USD per million tokens. Every call's cost is computed from this table when it happens; past costs
            are not rewritten. Writing with <strong>{defaultModel}</strong>, embedding with{" "}
            <strong>{embeddingModel}</strong>.
          </>
        }
      />
      <ReadOnlyNote what="change prices" />
      <ActionNotice result={actionData} />
      {prices.length === 0 ? (
        <EmptyState title="No prices yet">
          Add the models you use below; calls to unpriced models are marked as incomplete costs.
        </EmptyState>
      ) : (
        <div className="card flush">
          <table className="rtable">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Input / 1M tokens</th>
                <th scope="col">Output / 1M tokens</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Save</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {prices.map((p) => {
                const rowFailed =
                  failed?.intent === "update" && failed.values.model === p.model ? failed : null;
                const formId = `price-${p.model}`;
                return (
                  <tr key={p.model}>
                    <td data-label="Model">
                      <span className="strong mono">{p.model}</span>
                      <div className="sub">
                        {price(p.input)} in · {price(p.output)} out
                      </div>
                    </td>
                    <td data-label="Input / 1M tokens">
                      <input
                        form={formId}
                        name="input"
                        aria-label={`Input price of ${p.model}`}
                        inputMode="decimal"
                        defaultValue={rowFailed?.values.input ?? p.input}
                        disabled={!canEdit}
                        aria-invalid={rowFailed?.fieldErrors.input ? true : undefined}
                      />
                      {rowFailed?.fieldErrors.input && (
                        <p className="field-error">{rowFailed.fieldErrors.input}</p>
                      )}
                    </td>
                    <td data-label="Output / 1M tokens">
                      <input
                        form={formId}
                        name="output"
                        aria-label={`Output price of ${p.model}`}
                        inputMode="decimal"
                        defaultValue={rowFailed?.values.output ?? p.output}
                        disabled={!canEdit}
                        aria-invalid={rowFailed?.fieldErrors.output ? true : undefined}
                      />
                      {rowFailed?.fieldErrors.output && (
                        <p className="field-error">{rowFailed.fieldErrors.output}</p>
                      )}
                    </td>
                    <td data-label="Updated">{dateTime(p.updatedAt, timeZone)}</td>
                    <td data-label="Save">
                      {canEdit && (
                        <Form method="post" id={formId}>
                          <input type="hidden" name="model" value={p.model} />
                          <input type="hidden" name="id" value={p.model} />
                          <SubmitButton
                            intent="update"
                            rowId={p.model}
                            tone="secondary"
                            pendingText="Saving…"
                          >
                            Save
                          </SubmitButton>
                        </Form>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {canEdit && (
        <section className="card">
          <h2>Add a model</h2>
          <Form method="post" className="form" noValidate>
            <div className="form-grid three">
              <Field
                label="Model id"
                name="model"
                defaultValue={created?.values.model}
                error={created?.fieldErrors.model}
                hint="Fine-tuned ids (ft:…) fall back to their base model's price unless priced here."
              />
              <Field
                label="Input USD / 1M tokens"
                name="input"
                inputMode="decimal"
                defaultValue={created?.values.input}
                error={created?.fieldErrors.input}
              />
              <Field
                label="Output USD / 1M tokens"
                name="output"
                inputMode="decimal"
                defaultValue={created?.values.output}
                error={created?.fieldErrors.output}
              />
            </div>
            <div className="form-actions">
              <SubmitButton intent="create" pendingText="Adding…">
                Add price
              </SubmitButton>
            </div>
          </Form>
        </section>
      )}
    </>
  );
}

export const ErrorBoundary = PageError;
