import { Form, Link } from "react-router";
import { z } from "zod";
import { audited } from "../../../core/admin/audit.ts";
import { addAvoidPhrase, MAX_PHRASE_CHARS, removeAvoidPhrase } from "../../../core/quality/phrases.ts";
import { loadAvoidPhrases } from "../../../core/quality/record.ts";
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
import { dateTime, num, PLATFORM_LABEL, pct } from "../lib/format.ts";
import { done, field, invalid, parseForm } from "../lib/forms.server.ts";
import { qualityOverview } from "../quality.server.ts";
import type { Route } from "./+types/quality";

/** The windows the page offers, in days. */
const WINDOWS = [7, 30, 90] as const;

export const meta: Route.MetaFunction = () => [{ title: "Quality · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const asked = Number(new URL(request.url).searchParams.get("days"));
  const days = WINDOWS.find((w) => w === asked) ?? 30;
  const [overview, phrases] = await Promise.all([
    qualityOverview(context.app.db, days),
    loadAvoidPhrases(context.app.db),
  ]);
  return { days, phrases, ...overview };
}

const PhraseSchema = z.object({ phrase: field.text("a phrase", MAX_PHRASE_CHARS) });

/** Adds or removes a house-style phrase to avoid; the next delivered draft is checked against it. */
export async function action({ request, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const form = await request.formData();
  const intent = form.get("intent") === "remove" ? "remove" : "add";
  const parsed = parseForm(PhraseSchema, form);
  if (!parsed.ok) return invalid({ ...parsed, intent });
  const { phrase } = parsed.data;
  const notice = await audited(context.app.db, actor, async (tx) => {
    if (intent === "remove") {
      const removed = await removeAvoidPhrase(tx, phrase);
      return removed
        ? {
            audit: {
              action: "style_phrase.remove",
              entityType: "StylePhrase",
              entityId: phrase,
              before: { phrase },
            },
            value: `“${phrase}” removed: drafts from now on may use it.`,
          }
        : { audit: null, value: `“${phrase}” was not on the list.` };
    }
    const added = await addAvoidPhrase(tx, phrase);
    return added.added
      ? {
          audit: {
            action: "style_phrase.add",
            entityType: "StylePhrase",
            entityId: added.phrase,
            after: { phrase: added.phrase },
          },
          value: `“${added.phrase}” added: drafts delivered from now on are checked for it.`,
        }
      : { audit: null, value: `“${added.phrase}” is already on the list.` };
  });
  return done(notice, intent);
}

/** The house-style list the style check reads; admins edit it here. */
function AvoidedPhrases({ phrases, failed }: { phrases: string[]; failed: { phrase?: string } | null }) {
  const canEdit = useCanEdit();
  return (
    <section className="card" aria-labelledby="phrases-heading">
      <h2 id="phrases-heading">Phrases to avoid</h2>
      <p className="sub">
        The style check flags a draft that uses any of these (case and spacing do not matter; Thai works too).
        Changes apply to drafts delivered from now on.
      </p>
      {phrases.length === 0 ? (
        <p>No phrases: the style check passes every draft.</p>
      ) : (
        <ul className="chips" aria-label="Phrases to avoid">
          {phrases.map((p) => (
            <li key={p} className="chip">
              <span>{p}</span>
              {canEdit && (
                <Form method="post" className="chip-form">
                  <input type="hidden" name="phrase" value={p} />
                  <SubmitButton intent="remove" rowId={p} tone="secondary" pendingText="Removing…">
                    <span aria-hidden="true">×</span>
                    <span className="visually-hidden">Remove “{p}”</span>
                  </SubmitButton>
                </Form>
              )}
            </li>
          ))}
        </ul>
      )}
      {canEdit && (
        <Form method="post" className="form" noValidate>
          <Field
            label="Add a phrase"
            name="phrase"
            error={failed?.phrase}
            hint={`Up to ${MAX_PHRASE_CHARS} characters, for example “in today's fast-paced world”.`}
          />
          <div className="form-actions">
            <SubmitButton intent="add" pendingText="Adding…">
              Add phrase
            </SubmitButton>
          </div>
        </Form>
      )}
    </section>
  );
}

interface Row {
  key: string;
  drafts: number;
  meanScore: number | null;
  judged: number;
  meanJudge: number | null;
  up: number;
  down: number;
  upRate: number | null;
}

function RollupTable({ label, rows, caption }: { label: string; rows: Row[]; caption: string }) {
  if (!rows.length) return null;
  return (
    <table className="rtable">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{label}</th>
          <th scope="col" className="num">
            Drafts
          </th>
          <th scope="col" className="num">
            Mean score
          </th>
          <th scope="col" className="num">
            Judge (1–10)
          </th>
          <th scope="col" className="num">
            👍 / 👎
          </th>
          <th scope="col" className="num">
            👍 rate
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row" data-label={label}>
              {PLATFORM_LABEL[r.key] ?? (r.key || "—")}
            </th>
            <td data-label="Drafts" className="num">
              {num(r.drafts)}
            </td>
            <td data-label="Mean score" className="num">
              {r.meanScore ?? "—"}
            </td>
            <td data-label="Judge (1–10)" className="num">
              {r.meanJudge === null ? "—" : `${r.meanJudge} (${num(r.judged)})`}
            </td>
            <td data-label="👍 / 👎" className="num">
              {num(r.up)} / {num(r.down)}
            </td>
            <td data-label="👍 rate" className="num">
              {r.upRate === null ? "—" : pct(r.upRate)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function QualityPage({ loaderData, actionData }: Route.ComponentProps) {
  const { days, overTime, groups, worst, phrases } = loaderData;
  const { timeZone } = useConsoleUser();
  const failed = actionData && !actionData.ok ? actionData.fieldErrors : null;
  return (
    <>
      <PageHeader
        title="Quality"
        description="Every delivered draft is checked (length, structure, loops, copying, language, keywords, house style) and scored 0–100; a sample is judged by a model when QUALITY_JUDGE_MODEL is set; people vote 👍/👎."
        actions={
          <nav aria-label="Window">
            {WINDOWS.map((w) => (
              <Link
                key={w}
                to={`?days=${w}`}
                aria-current={w === days ? "page" : undefined}
                className="button"
              >
                {w} days
              </Link>
            ))}
          </nav>
        }
      />
      <ReadOnlyNote what="edit the phrases to avoid" />
      <ActionNotice result={actionData} />
      {overTime.length === 0 ? (
        <EmptyState title="No delivered drafts in this window">
          Scores appear as drafts are delivered.
        </EmptyState>
      ) : (
        <>
          <section className="card">
            <h2>Over time</h2>
            <RollupTable label="Day" rows={overTime} caption={`Score and votes per day, last ${days} days`} />
          </section>
          <div className="grid two">
            {groups.map((g) => (
              <section className="card" key={g.by}>
                <h2>By {g.label.toLowerCase()}</h2>
                <RollupTable label={g.label} rows={g.rows} caption={`By ${g.label.toLowerCase()}`} />
              </section>
            ))}
          </div>
          <section className="card">
            <h2>Worst drafts</h2>
            <table className="rtable">
              <thead>
                <tr>
                  <th scope="col">Topic</th>
                  <th scope="col" className="num">
                    Score
                  </th>
                  <th scope="col">Failed checks</th>
                  <th scope="col">Model · prompt</th>
                  <th scope="col" className="num">
                    👍 / 👎
                  </th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {worst.map((w) => (
                  <tr key={w.id}>
                    <th scope="row" data-label="Topic">
                      <Link to={`/generations/${w.id}`}>{w.topic}</Link>
                    </th>
                    <td data-label="Score" className="num">
                      {w.qualityScore}
                    </td>
                    <td data-label="Failed checks">{w.failed.join(", ") || "—"}</td>
                    <td data-label="Model · prompt">
                      {w.model ?? "—"} · {w.promptVersion ?? "—"}
                    </td>
                    <td data-label="👍 / 👎" className="num">
                      {num(w.votesUp)} / {num(w.votesDown)}
                    </td>
                    <td data-label="When">{dateTime(w.createdAt, timeZone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
      <AvoidedPhrases phrases={phrases} failed={failed} />
    </>
  );
}

export const ErrorBoundary = PageError;
