import { Form } from "react-router";
import { SCOPE_LABEL } from "../lib/format.ts";
import { Field, Select, SubmitButton, TextArea, useCanEdit } from "./ui.tsx";

export interface TierFormValues {
  name: string;
  description: string;
  dailyArticleLimit: string;
  burstPerMinute: string;
  maxWords: string;
  monthlyBudgetUsd: string;
  allowedModel: string;
  cacheScope: string;
  revisionsPerDraft: string;
  linePushPolicy: string;
}

export function tierFormValues(t: {
  name: string;
  description: string;
  dailyArticleLimit: number | null;
  burstPerMinute: number;
  maxWords: number;
  monthlyBudgetUsd: string | null;
  allowedModel: string | null;
  cacheScope: string;
  revisionsPerDraft?: number;
  linePushPolicy?: string;
}): TierFormValues {
  return {
    name: t.name,
    description: t.description,
    dailyArticleLimit: t.dailyArticleLimit === null ? "" : String(t.dailyArticleLimit),
    burstPerMinute: String(t.burstPerMinute),
    maxWords: String(t.maxWords),
    monthlyBudgetUsd: t.monthlyBudgetUsd ?? "",
    allowedModel: t.allowedModel ?? "",
    cacheScope: t.cacheScope,
    revisionsPerDraft: t.revisionsPerDraft === undefined ? "" : String(t.revisionsPerDraft),
    linePushPolicy: t.linePushPolicy ?? "FALLBACK",
  };
}

/** One form for creating and editing a tier; values come back with the errors after a refusal. */
export function TierForm({
  values,
  errors,
  models,
  submitLabel,
  pendingLabel,
  nameLocked,
}: {
  values: TierFormValues;
  errors: Record<string, string>;
  models: string[];
  submitLabel: string;
  pendingLabel: string;
  nameLocked?: string;
}) {
  const canEdit = useCanEdit();
  return (
    <Form method="post" className="form" noValidate>
      <fieldset disabled={!canEdit} className="form-grid">
        <Field
          label="Name"
          name="name"
          defaultValue={values.name}
          error={errors.name}
          required
          maxLength={40}
          hint={nameLocked}
        />
        <Field
          label="Daily article limit"
          name="dailyArticleLimit"
          inputMode="numeric"
          defaultValue={values.dailyArticleLimit}
          error={errors.dailyArticleLimit}
          hint="Articles per requester per day. Leave blank for unlimited."
        />
        <Field
          label="Burst per minute"
          name="burstPerMinute"
          inputMode="numeric"
          defaultValue={values.burstPerMinute}
          error={errors.burstPerMinute}
          hint="Requests a requester may start in one minute."
          required
        />
        <Field
          label="Maximum words"
          name="maxWords"
          inputMode="numeric"
          defaultValue={values.maxWords}
          error={errors.maxWords}
          hint="Longer requests are capped to this length."
          required
        />
        <Field
          label="Revisions per draft"
          name="revisionsPerDraft"
          inputMode="numeric"
          defaultValue={values.revisionsPerDraft}
          error={errors.revisionsPerDraft}
          hint={
            'Changes to one draft ("make it shorter", "translate to Thai"); they use no article slot. Blank keeps the current number (3 for a new tier).'
          }
        />
        <Field
          label="Monthly budget (USD)"
          name="monthlyBudgetUsd"
          inputMode="decimal"
          defaultValue={values.monthlyBudgetUsd}
          error={errors.monthlyBudgetUsd}
          hint="Per requester per calendar month. Leave blank for no cap."
        />
        <Field
          label="Model"
          name="allowedModel"
          list="tier-models"
          defaultValue={values.allowedModel}
          error={errors.allowedModel}
          hint="Leave blank to use the configured default model."
        />
        <datalist id="tier-models">
          {models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
        <Select
          label="Cache scope"
          name="cacheScope"
          defaultValue={values.cacheScope}
          error={errors.cacheScope}
          options={Object.entries(SCOPE_LABEL).map(([value, label]) => ({ value, label }))}
          hint="Who may reuse a draft someone on this tier paid for. LINE users are never shared between by default."
        />
        <Select
          label="LINE pushes"
          name="linePushPolicy"
          defaultValue={values.linePushPolicy}
          error={errors.linePushPolicy}
          options={[
            { value: "NEVER", label: "Never (replies and Continue reading only)" },
            { value: "FALLBACK", label: "When no free reply is left" },
            { value: "ALWAYS", label: "Always, for what does not fit the reply" },
          ]}
          hint="A LINE reply is free; a push costs the account's monthly messages (once per member in a group). Groups are pushed only on Always."
        />
        <TextArea
          label="Description"
          name="description"
          rows={2}
          defaultValue={values.description}
          error={errors.description}
        />
      </fieldset>
      {canEdit && (
        <div className="form-actions">
          <SubmitButton intent="save" pendingText={pendingLabel}>
            {submitLabel}
          </SubmitButton>
        </div>
      )}
    </Form>
  );
}
