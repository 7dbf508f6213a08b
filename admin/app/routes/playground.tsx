import { useEffect, useState } from "react";
import { Form, Link, redirect } from "react-router";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import { Markdown } from "../components/markdown.tsx";
import {
  ActionNotice,
  Badge,
  EmptyState,
  Field,
  Notice,
  PageError,
  PageHeader,
  ReadOnlyNote,
  Select,
  SubmitButton,
  TextArea,
  useCanEdit,
} from "../components/ui.tsx";
import { num, STATUS_LABEL, STATUS_TONE, seconds, usd } from "../lib/format.ts";
import { invalid, parseForm } from "../lib/forms.server.ts";
import {
  PlaygroundSchema,
  type PlaygroundState,
  playgroundOptions,
  playgroundVersions,
  ReviseSchema,
  requestArticle,
  reviseDraft,
} from "../playground.server.ts";
import type { Route } from "./+types/playground";

export const meta: Route.MetaFunction = () => [{ title: "Playground · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const user = await requireAdminUser(request, context);
  const g = new URL(request.url).searchParams.get("g")?.slice(0, 64);
  const [options, versions] = await Promise.all([
    playgroundOptions(context.app),
    g ? playgroundVersions(context.app, g) : [],
  ]);
  return {
    ...options,
    versions,
    me: user.name || user.email.split("@")[0] || "Console tester",
    offline: context.pipeline.generator.offline,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const form = await request.formData();
  if (form.get("intent") === "revise") {
    const revise = parseForm(ReviseSchema, form);
    if (!revise.ok) return invalid(revise);
    const revised = await reviseDraft(context.app, context.pipeline, actor, revise.data);
    if (revised.kind === "invalid")
      return invalid({ fieldErrors: { [revised.field]: revised.message }, values: revise.values });
    if ("generationId" in revised) throw redirect(`/playground?g=${revised.generationId}`);
    return invalid({ fieldErrors: {}, formError: revised.message, values: revise.values });
  }
  const parsed = parseForm(PlaygroundSchema, form);
  if (!parsed.ok) return invalid(parsed);
  const outcome = await requestArticle(context.app, context.pipeline, actor, parsed.data);
  if (outcome.kind === "invalid")
    return invalid({ fieldErrors: { [outcome.field]: outcome.message }, values: parsed.values });
  if ("generationId" in outcome) throw redirect(`/playground?g=${outcome.generationId}`);
  // Guidance is the bot answering (how to ask, with examples), not a failure of the form: the
  // page shows it in the thread, as the chat would.
  if (outcome.kind === "guidance")
    return {
      ok: true as const,
      reply: {
        asked: parsed.data.text,
        requester: parsed.data.requester,
        message: outcome.message,
        examples: outcome.examples ?? [],
      },
    };
  return invalid({
    fieldErrors: {},
    formError: outcome.message,
    values: parsed.values,
    examples: outcome.examples ?? [],
  });
}

export default function Playground({ loaderData, actionData }: Route.ComponentProps) {
  const { tiers, requesters, versions, me, offline } = loaderData;
  const canEdit = useCanEdit();
  const failed = actionData && !actionData.ok ? actionData : null;
  const reply = actionData?.ok ? actionData.reply : null;
  const values = failed?.values ?? {};
  const errors = failed?.fieldErrors ?? {};
  const defaultTier =
    tiers.find((t) => t.id === requesters[0]?.tierId)?.id ??
    tiers.find((t) => t.name === "Pro")?.id ??
    tiers[0]?.id ??
    "";
  return (
    <>
      <PageHeader
        title="Playground"
        description="Ask for an article as a console requester on any tier, and watch the chunks arrive as they would in a Slack thread."
      />
      <ReadOnlyNote what="request articles" />
      {offline && (
        <Notice tone="warning">
          No language model is configured: drafts come from the offline composer and are outlines, not prose.
        </Notice>
      )}
      <ActionNotice result={failed} />
      {failed?.examples?.length ? (
        <Notice tone="info">
          Try: {failed.examples.flatMap((e, i) => (i ? [" · ", <q key={e}>{e}</q>] : [<q key={e}>{e}</q>]))}
        </Notice>
      ) : null}
      <div className="grid playground">
        <section className="card">
          <h2>Request</h2>
          <Form method="post" className="form" noValidate>
            <fieldset disabled={!canEdit} className="form">
              <Field
                label="Ask as"
                name="requester"
                list="playground-requesters"
                defaultValue={values.requester ?? requesters[0]?.name ?? me}
                error={errors.requester}
                hint="A console requester: their quota counts like anyone's."
              />
              <datalist id="playground-requesters">
                {requesters.map((r) => (
                  <option key={r.name} value={r.name} />
                ))}
              </datalist>
              <Select
                label="On tier"
                name="tierId"
                defaultValue={values.tierId ?? defaultTier}
                error={errors.tierId}
                options={tiers.map((t) => ({
                  value: t.id,
                  label: `${t.name} — ${t.dailyArticleLimit === null ? "unlimited" : `${t.dailyArticleLimit}/day`}, up to ${num(t.maxWords)} words`,
                }))}
              />
              <TextArea
                label="Message"
                name="text"
                rows={4}
                error={errors.text}
                defaultValue={values.text}
                placeholder="write an article about AI in retail for executives, 600 words"
                hint="Exactly what someone would type to the bot, in English or Thai."
              />
            </fieldset>
            {canEdit && (
              <div className="form-actions">
                <SubmitButton pendingText="Queueing…">Request article</SubmitButton>
              </div>
            )}
          </Form>
        </section>
        <section className="card thread-card">
          <h2>Thread</h2>
          {reply ? (
            <GuidanceReply reply={reply} />
          ) : versions.length ? (
            <Versions versions={versions} canEdit={canEdit} error={errors.instruction} />
          ) : (
            <EmptyState title="Nothing requested yet">
              Send a request: the draft appears here chunk by chunk.
            </EmptyState>
          )}
        </section>
      </div>
    </>
  );
}

/** The bot's answer to a message that was not an article request: what it says in the chat. */
function GuidanceReply({
  reply,
}: {
  reply: { asked: string; requester: string; message: string; examples: string[] };
}) {
  return (
    <div className="thread" data-testid="guidance">
      <div className="message user">
        <div className="message-meta">
          <span className="strong">{reply.requester}</span>
        </div>
        <p>{reply.asked}</p>
      </div>
      <div className="message bot">
        <div className="message-meta">
          <span className="strong">Article Bot</span> <Badge tone="neutral">guidance</Badge>
        </div>
        <p>{reply.message}</p>
        {reply.examples.length > 0 && (
          <ul className="examples">
            {reply.examples.map((e) => (
              <li key={e}>
                <q>{e}</q>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/**
 * The draft's versions in order, each under a "v1", "v2 — make it shorter" heading, and a box
 * to send a revision instruction against the latest one once it is written.
 */
function Versions({
  versions,
  canEdit,
  error,
}: {
  versions: PlaygroundState[];
  canEdit: boolean;
  error?: string;
}) {
  const latest = versions.at(-1)!;
  // The latest version's final status, as its thread learns it (the loader saw it in flight).
  const [latestStatus, setLatestStatus] = useState(latest.done ? latest.status : null);
  return (
    <>
      {versions.map((v, i) => (
        <section key={v.id} className="version" data-version={i + 1} aria-label={`Version ${i + 1}`}>
          {versions.length > 1 && (
            <h3 className="version-title">
              v{i + 1}
              {v.instruction ? ` — “${v.instruction}”` : ""}
            </h3>
          )}
          <Thread initial={v} onDone={v.id === latest.id ? setLatestStatus : undefined} />
        </section>
      ))}
      {canEdit && latestStatus === "DELIVERED" && (
        <Form method="post" className="form revise-form">
          <input type="hidden" name="intent" value="revise" />
          <input type="hidden" name="generationId" value={latest.id} />
          <TextArea
            label="Revise this draft"
            name="instruction"
            rows={2}
            error={error}
            placeholder="make it shorter · translate to Thai · add a section on ESG"
            hint="Sent in this draft's conversation, as a follow-up in the chat would be."
          />
          <div className="form-actions">
            <SubmitButton pendingText="Sending…">Revise</SubmitButton>
          </div>
        </Form>
      )}
    </>
  );
}

/** Polls the chunks resource while the draft is being written (every half second, then stops). */
function Thread({
  initial,
  onDone,
}: {
  initial: PlaygroundState;
  onDone?: (status: PlaygroundState["status"]) => void;
}) {
  const [state, setState] = useState(initial);
  const [lost, setLost] = useState(false);
  useEffect(() => {
    if (state.done) {
      onDone?.(state.status);
      return;
    }
    let stopped = false;
    const timer = setTimeout(async () => {
      try {
        const res = await fetch(`/playground/${state.id}/chunks`, {
          headers: { accept: "application/json" },
        });
        if (!res.ok) throw new Error(String(res.status));
        const next = (await res.json()) as PlaygroundState;
        if (!stopped) {
          setLost(false);
          setState(next);
        }
      } catch {
        if (!stopped) {
          setLost(true);
          setState((s) => ({ ...s })); // try again
        }
      }
    }, 500);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [state, onDone]);

  return (
    <div className="thread" aria-live="polite" aria-busy={!state.done}>
      <div className="message bot parent">
        <div className="message-meta">
          <span className="strong">Article Bot</span>{" "}
          <Badge tone={STATUS_TONE[state.status]}>{STATUS_LABEL[state.status]}</Badge>{" "}
          {state.cacheHit && <Badge tone="accent">from cache</Badge>}
        </div>
        <p>
          {state.done ? "Wrote" : "Writing"} “{state.topic}” for {state.requester}
          {state.done ? "." : "…"}
        </p>
      </div>
      {state.chunks.map((c) => (
        <div key={c.index} className="message bot chunk" data-chunk={c.index}>
          <div className="message-meta sub">Part {c.index + 1}</div>
          <Markdown text={c.text} />
        </div>
      ))}
      {!state.done && (
        <div className="message typing" role="status" aria-label="Writing">
          <span />
          <span />
          <span />
        </div>
      )}
      {lost && <Notice tone="warning">Lost contact with the console; retrying…</Notice>}
      {state.finished && (
        <p className="thread-summary" data-testid="summary">
          Done: {num(state.finished.words)} words in {state.chunks.length} part
          {state.chunks.length === 1 ? "" : "s"}, first part after {seconds(state.firstChunkMs)},{" "}
          {usd(state.costUsd)}.
          {state.finished.sources.length
            ? ` Sources: ${state.finished.sources.map((s) => s.title).join("; ")}.`
            : ""}{" "}
          <Link to={`/generations/${state.id}`}>Open in the log</Link>
        </p>
      )}
      {state.failed && (
        <Notice tone="error">
          The draft failed ({state.failed.code}).
          {state.failed.refunded ? " The article was not counted against the quota." : ""}
        </Notice>
      )}
      {state.status === "FAILED" && !state.failed && (
        <Notice tone="error">The draft failed ({state.errorCode ?? "error"}).</Notice>
      )}
      {!state.done && (
        <noscript>
          <meta httpEquiv="refresh" content="2" />
        </noscript>
      )}
    </div>
  );
}

export const ErrorBoundary = PageError;
