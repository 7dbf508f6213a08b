import { Form, Link, useLocation } from "react-router";
import { z } from "zod";
import { LENGTH_LIMITS } from "../../../core/request/rules.ts";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import {
  invalidateAll,
  invalidateEntries,
  listCache,
  pinEntry,
  pinPrewarmed,
  prewarm,
  readCacheFilters,
} from "../cache.server.ts";
import { FilterInput, FilterSelect, Filters, withParam } from "../components/filters.tsx";
import {
  ActionNotice,
  Badge,
  EmptyState,
  Field,
  Notice,
  PageError,
  PageHeader,
  Pager,
  ReadOnlyNote,
  Select,
  SubmitButton,
  TextArea,
  useCanEdit,
  useConsoleUser,
} from "../components/ui.tsx";
import { bytes, dateTime, num, pct, SCOPE_LABEL, STATUS_LABEL, STATUS_TONE, usd } from "../lib/format.ts";
import { done, field, invalid, parseForm, valuesOf } from "../lib/forms.server.ts";
import type { Route } from "./+types/cache";

export const meta: Route.MetaFunction = () => [{ title: "Topic cache · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const filters = readCacheFilters(new URL(request.url));
  return { filters, ...(await listCache(context.app, context.pipeline, filters)) };
}

const MAX_TOPICS = 30;
const PrewarmSchema = z.object({
  topics: z.preprocess(
    (v) => (typeof v === "string" ? v : ""),
    z
      .string()
      .transform((s) => [
        ...new Set(
          s
            .split(/\r?\n/)
            .map((t) => t.trim())
            .filter(Boolean),
        ),
      ])
      .pipe(
        z
          .array(z.string().max(200, "Keep each topic under 200 characters."))
          .min(1, "Enter at least one topic, one per line.")
          .max(MAX_TOPICS, `Pre-warm at most ${MAX_TOPICS} topics at a time.`),
      ),
  ),
  language: field.choice(["en", "th"] as const, "Choose English or Thai."),
  audience: field.optionalText("the audience", 80),
  targetWords: field.wholeNumber("the length", LENGTH_LIMITS.minWords, LENGTH_LIMITS.maxWords),
});

export async function action({ request, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  const { app, pipeline } = context;
  const ids = [...new Set(form.getAll("ids").map(String).concat(form.getAll("id").map(String)))]
    .filter((id) => id.length <= 64)
    .slice(0, 500);
  const answer = (r: { ok: true; notice: string } | { ok: false; formError: string }) =>
    r.ok
      ? done(r.notice, intent)
      : invalid({ intent, fieldErrors: {}, formError: r.formError, values: valuesOf(form) });

  switch (intent) {
    case "invalidate":
      return answer(await invalidateEntries(app, pipeline, actor, ids));
    case "invalidate-all":
      if (form.get("confirm") !== "all")
        return invalid({
          intent,
          fieldErrors: { confirm: "Type all to confirm." },
          formError: "Type all in the box to confirm emptying the whole cache.",
          values: valuesOf(form),
        });
      return answer(await invalidateAll(app, pipeline, actor));
    case "pin":
      // Only from the entry's own page, one at a time, after its whole draft was on screen.
      if (ids.length !== 1 || form.get("reviewed") !== ids[0])
        return invalid({
          intent,
          fieldErrors: {},
          formError: "Open the entry and read its whole draft before pinning it for everyone.",
          values: valuesOf(form),
        });
      return answer(await pinEntry(app, pipeline, actor, ids, true));
    case "unpin":
      return answer(await pinEntry(app, pipeline, actor, ids, false));
    case "pin-prewarmed":
      return answer(await pinPrewarmed(app, pipeline, actor));
    case "prewarm": {
      const parsed = parseForm(PrewarmSchema, form);
      if (!parsed.ok) return invalid({ ...parsed, intent });
      const outcomes = await prewarm(app, pipeline, actor, parsed.data.topics, parsed.data);
      const queued = outcomes.filter((o) => o.result === "queued").length;
      const others = outcomes.filter((o) => o.result !== "queued");
      return done(
        `${queued} of ${outcomes.length} topics queued for writing.` +
          (others.length
            ? ` Not queued: ${others.map((o) => `“${o.topic}” (${o.result})`).join(", ")}.`
            : " They appear below as they finish."),
        intent,
      );
    }
    default:
      return invalid({ intent, fieldErrors: {}, formError: "Unknown action." });
  }
}

export default function Cache({ loaderData, actionData }: Route.ComponentProps) {
  const { entries, totals, embedding, prewarm, filters, next, offline, ttlHours } = loaderData;
  const { search } = useLocation();
  const { timeZone } = useConsoleUser();
  const canEdit = useCanEdit();
  const failed = actionData && !actionData.ok ? actionData : null;
  const pv = failed?.intent === "prewarm" ? failed.values : {};
  const pe = failed?.intent === "prewarm" ? failed.fieldErrors : {};
  const lookups = embedding.hits + embedding.misses;
  const waitingToShare = prewarm.filter((g) => g.entryId && !g.pinned).length;
  return (
    <>
      <PageHeader
        title="Topic cache"
        description={`Drafts already paid for, reused for the same request in the same scope. Entries live ${ttlHours % 24 === 0 ? `${ttlHours / 24} days` : `${ttlHours} hours`}; pinned ones are shared with everyone until unpinned.`}
      />
      <ReadOnlyNote what="change the cache" />
      <ActionNotice result={actionData} />

      <dl className="stats compact card">
        <div className="stat">
          <dt>Entries</dt>
          <dd>{num(totals.entries)}</dd>
        </div>
        <div className="stat">
          <dt>Size</dt>
          <dd>{bytes(totals.bytes)}</dd>
        </div>
        <div className="stat">
          <dt>Hits so far</dt>
          <dd>{num(totals.hits)}</dd>
        </div>
        <div className="stat">
          <dt>Saved by hits</dt>
          <dd>{usd(totals.savedUsd)}</dd>
        </div>
        <div className="stat">
          <dt>Embedding cache</dt>
          <dd>{pct(lookups ? embedding.hits / lookups : null, 0)}</dd>
          <dd className="stat-sub">
            hit rate in this process · {num(embedding.entries)}/{num(embedding.capacity)} in memory ·{" "}
            {num(embedding.stored)} stored · {num(embedding.tokensSpent)} tokens spent
          </dd>
        </div>
      </dl>

      <Filters resetTo="/cache">
        <FilterInput label="Topic" name="q" value={filters.q} />
        <FilterSelect
          label="Scope"
          name="scope"
          value={filters.scope}
          options={[
            { value: "", label: "All" },
            { value: "TENANT", label: "Per workspace" },
            { value: "REQUESTER", label: "Per requester" },
            { value: "pinned", label: "Pinned (shared)" },
          ]}
        />
      </Filters>

      {entries.length === 0 ? (
        <EmptyState title={filters.q || filters.scope ? "No entry matches" : "The cache is empty"}>
          Drafts are cached as they are written; pre-warm popular topics below to fill it ahead of demand.
        </EmptyState>
      ) : (
        <section className="card flush">
          <Form method="post" id="bulk" className="bulkbar">
            <span className="muted">Tick entries, then:</span>
            <SubmitButton intent="invalidate" tone="danger" pendingText="Invalidating…" disabled={!canEdit}>
              Invalidate selected
            </SubmitButton>
          </Form>
          <table className="rtable">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Select</span>
                </th>
                <th scope="col">Topic</th>
                <th scope="col">Scope</th>
                <th scope="col" className="num">
                  Hits
                </th>
                <th scope="col">Last hit</th>
                <th scope="col">Expires</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} className={e.expired ? "muted-row" : undefined}>
                  <td data-label="Select">
                    <input
                      type="checkbox"
                      name="ids"
                      value={e.id}
                      form="bulk"
                      aria-label={`Select ${e.topic}`}
                      disabled={!canEdit}
                    />
                  </td>
                  <td data-label="Topic">
                    <Link to={`/cache/${e.id}`} className="strong">
                      {e.topic}
                    </Link>{" "}
                    {e.pinned && <Badge tone="accent">Pinned</Badge>}{" "}
                    {e.expired && <Badge tone="warn">Expired</Badge>}
                    <div className="sub" title={e.key}>
                      {e.readableKey}
                    </div>
                  </td>
                  <td data-label="Scope">
                    {SCOPE_LABEL[e.scope]}
                    <div className="sub">{e.owner}</div>
                  </td>
                  <td data-label="Hits" className="num">
                    {num(e.hits)}
                    <div className="sub">saved {usd(e.savedUsd)}</div>
                  </td>
                  <td data-label="Last hit">{e.lastHitAt ? dateTime(e.lastHitAt, timeZone) : "never"}</td>
                  <td data-label="Expires">{e.pinned ? "pinned" : dateTime(e.expiresAt, timeZone)}</td>
                  <td data-label="Size" className="num">
                    {bytes(e.sizeBytes)}
                    <div className="sub">{num(e.words)} words</div>
                  </td>
                  <td data-label="Actions">
                    {canEdit && (
                      <Form method="post" className="row-actions">
                        <input type="hidden" name="id" value={e.id} />
                        {e.pinned ? (
                          <SubmitButton intent="unpin" rowId={e.id} tone="quiet" pendingText="…">
                            Unpin
                          </SubmitButton>
                        ) : (
                          <Link to={`/cache/${e.id}`} className="button quiet">
                            Review to pin
                          </Link>
                        )}
                        <SubmitButton intent="invalidate" rowId={e.id} tone="quiet" pendingText="…">
                          Invalidate
                        </SubmitButton>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <Pager
        first={filters.after ? withParam(search, "after", null) : null}
        next={next ? withParam(search, "after", next) : null}
      />

      <div className="grid two">
        <section className="card">
          <h2>Pre-warm popular topics</h2>
          <p className="muted">
            Each topic is written as a real article by the console's pre-warm requester and cached in the
            console workspace. Pin the results as shared so every workspace gets them.
          </p>
          {offline && (
            <Notice tone="warning">
              No language model is configured: the offline composer's outlines are not cached, so pre-warming
              fills nothing.
            </Notice>
          )}
          <Form method="post" className="form" noValidate>
            <fieldset disabled={!canEdit} className="form">
              <TextArea
                label="Topics, one per line"
                name="topics"
                rows={5}
                defaultValue={pv.topics}
                error={pe.topics}
                placeholder={"AI in retail supply chains\nThe future of digital banking"}
              />
              <div className="form-grid">
                <Select
                  label="Language"
                  name="language"
                  defaultValue={pv.language ?? "en"}
                  error={pe.language}
                  options={[
                    { value: "en", label: "English" },
                    { value: "th", label: "Thai" },
                  ]}
                />
                <Field
                  label="Length (words)"
                  name="targetWords"
                  inputMode="numeric"
                  defaultValue={pv.targetWords ?? "800"}
                  error={pe.targetWords}
                />
                <Field
                  label="Audience"
                  name="audience"
                  defaultValue={pv.audience ?? ""}
                  error={pe.audience}
                  placeholder="executives"
                />
              </div>
            </fieldset>
            {canEdit && (
              <div className="form-actions">
                <SubmitButton intent="prewarm" pendingText="Queueing…">
                  Queue pre-warm
                </SubmitButton>
              </div>
            )}
          </Form>
          {prewarm.length > 0 && (
            <>
              <h3>Recent pre-warm articles</h3>
              <ul className="plain-list">
                {prewarm.map((g) => (
                  <li key={g.id}>
                    <Badge tone={STATUS_TONE[g.status]}>{STATUS_LABEL[g.status]}</Badge> {g.topic}{" "}
                    {g.pinned ? (
                      <Badge tone="accent">shared</Badge>
                    ) : g.entryId ? (
                      <span className="sub">cached, not shared</span>
                    ) : null}
                  </li>
                ))}
              </ul>
              {canEdit && waitingToShare > 0 && (
                <Form method="post">
                  <SubmitButton intent="pin-prewarmed" tone="secondary" pendingText="Pinning…">
                    {`Share ${waitingToShare} pre-warmed draft${waitingToShare === 1 ? "" : "s"}`}
                  </SubmitButton>
                </Form>
              )}
            </>
          )}
        </section>
        <section className="card">
          <h2>Empty the cache</h2>
          <p className="muted">
            Invalidates every entry, shared or not. Each topic is generated afresh (and paid for) the next
            time someone asks.
          </p>
          <Form method="post" className="form" noValidate>
            <fieldset disabled={!canEdit} className="form">
              <Field
                label="Type all to confirm"
                name="confirm"
                autoComplete="off"
                error={failed?.intent === "invalidate-all" ? failed.fieldErrors.confirm : undefined}
              />
            </fieldset>
            {canEdit && (
              <div className="form-actions">
                <SubmitButton intent="invalidate-all" tone="danger" pendingText="Emptying…">
                  Invalidate all entries
                </SubmitButton>
              </div>
            )}
          </Form>
        </section>
      </div>
    </>
  );
}

export const ErrorBoundary = PageError;
