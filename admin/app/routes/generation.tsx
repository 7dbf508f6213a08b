import { data, Link } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { DraftQuality } from "../components/draft-quality.tsx";
import { DraftVersions } from "../components/draft-versions.tsx";
import { Markdown } from "../components/markdown.tsx";
import { Badge, EmptyState, PageError, PageHeader, useConsoleUser } from "../components/ui.tsx";
import { loadDraftVersions } from "../lib/draft-versions.server.ts";
import {
  dateTime,
  num,
  PLATFORM_LABEL,
  price,
  STATUS_LABEL,
  STATUS_TONE,
  seconds,
  usd,
} from "../lib/format.ts";
import { generationQuality } from "../quality.server.ts";
import type { Route } from "./+types/generation";

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.g.topic ?? "Generation"} · Article Bot console` },
];

export async function loader({ request, params, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const g = await context.app.db.prisma.generation.findUnique({
    where: { id: params.id },
    include: {
      tokenUsage: { orderBy: { createdAt: "asc" } },
      requester: { select: { id: true, displayName: true, externalId: true } },
      tenant: { select: { name: true, externalId: true } },
      cacheEntry: { select: { costUsd: true } },
    },
  });
  if (!g) throw data({ message: "There is no such generation." }, { status: 404 });
  const request_ = g.request as Record<string, unknown>;
  const judgeCost = g.tokenUsage
    .filter((u) => u.operation === "JUDGE")
    .reduce((s, u) => s + u.costUsd.toNumber(), 0);
  const versions = await loadDraftVersions(context.app.db, g.draftId);
  return {
    versions,
    quality: {
      ...(await generationQuality(context.app.db, g)),
      judgeCostUsd: judgeCost > 0 ? judgeCost.toFixed(6) : null,
    },
    g: {
      id: g.id,
      topic: g.topic,
      status: g.status,
      platform: g.platform,
      language: g.language,
      targetWords: g.targetWords,
      words: g.words,
      model: g.model,
      industry: g.industry,
      audience: String(request_.audience ?? ""),
      tone: String(request_.tone ?? ""),
      keywords: Array.isArray(request_.keywords) ? request_.keywords.map(String) : [],
      inputTokens: g.inputTokens,
      outputTokens: g.outputTokens,
      costUsd: g.costUsd.toString(),
      costUnpriced: g.costUnpriced,
      tierName: g.tierName,
      rawText: g.rawText,
      instruction: g.instruction,
      // What the hit saved: recorded with the delivery; older rows fall back to the entry's cost.
      savedUsd: g.cacheHit ? ((g.savedUsd ?? g.cacheEntry?.costUsd ?? null)?.toString() ?? null) : null,
      latencyMs: g.latencyMs,
      firstChunkMs: g.firstChunkMs,
      chunksDelivered: g.chunksDelivered,
      cacheHit: g.cacheHit,
      cacheEntryId: g.cacheEntryId,
      errorCode: g.errorCode,
      error: g.error,
      draft: g.draft,
      sources: (Array.isArray(g.sources) ? g.sources : []) as Array<{ title?: string; score?: number }>,
      createdAt: g.createdAt.toISOString(),
      startedAt: g.startedAt?.toISOString() ?? null,
      finishedAt: g.finishedAt?.toISOString() ?? null,
      requester: { id: g.requester.id, name: g.requester.displayName || g.requester.externalId },
      workspace: g.tenant.name || g.tenant.externalId,
      // The judge is the operator's cost, shown with the quality section, not in the article's total.
      usage: g.tokenUsage
        .filter((u) => u.operation !== "JUDGE")
        .map((u) => ({
          id: u.id,
          operation: u.operation,
          model: u.model,
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          costUsd: u.costUsd.toString(),
          unpriced: u.unpriced,
          inputPerMTokUsd: u.inputPerMTokUsd?.toString() ?? null,
          outputPerMTokUsd: u.outputPerMTokUsd?.toString() ?? null,
        })),
    },
  };
}

export default function GenerationPage({ loaderData }: Route.ComponentProps) {
  const { g, quality } = loaderData;
  const { timeZone } = useConsoleUser();
  return (
    <>
      <PageHeader
        title={g.topic}
        description={
          <>
            <Link to="/generations">← Generations</Link> · asked by{" "}
            <Link to={`/requesters/${g.requester.id}`}>{g.requester.name}</Link> ({PLATFORM_LABEL[g.platform]}{" "}
            · {g.workspace}) · {dateTime(g.createdAt, timeZone)}
          </>
        }
        actions={
          <>
            {g.cacheHit && <Badge tone="accent">From the topic cache</Badge>}{" "}
            <Badge tone={STATUS_TONE[g.status]}>{STATUS_LABEL[g.status]}</Badge>
          </>
        }
      />
      {g.errorCode && (
        <p className="notice error" role="alert">
          Failed: <strong>{g.errorCode}</strong>
          {g.error ? ` — ${g.error.slice(0, 300)}` : ""}
        </p>
      )}
      <div className="grid two">
        <section className="card">
          <h2>Request</h2>
          <dl className="facts">
            <Fact label="Language" value={g.language === "th" ? "Thai" : "English"} />
            <Fact label="Industry" value={g.industry ?? "—"} />
            <Fact label="Audience" value={g.audience || "—"} />
            <Fact label="Tone" value={g.tone || "—"} />
            <Fact label="Length" value={`${num(g.targetWords)} words asked, ${num(g.words)} written`} />
            <Fact label="Keywords" value={g.keywords.length ? g.keywords.join(", ") : "—"} />
          </dl>
        </section>
        <section className="card">
          <h2>Delivery</h2>
          <dl className="facts">
            <Fact label="Model" value={g.model ?? "—"} />
            <Fact label="First chunk after" value={seconds(g.firstChunkMs)} />
            <Fact label="Finished after" value={seconds(g.latencyMs)} />
            <Fact label="Chunks posted" value={num(g.chunksDelivered)} />
            <Fact
              label="Sources"
              value={g.sources.length ? g.sources.map((s) => s.title).join("; ") : "none"}
            />
          </dl>
        </section>
      </div>
      <DraftVersions versions={loaderData.versions} current={g.id} />
      <CostWhy g={g} />
      <section className="card">
        <h2>Cost breakdown</h2>
        {g.usage.length === 0 ? (
          <p className="muted">
            {g.cacheHit
              ? "Served from the topic cache: no model was called."
              : "No model calls were recorded for this generation."}
          </p>
        ) : (
          <table className="rtable">
            <thead>
              <tr>
                <th scope="col">Operation</th>
                <th scope="col">Model</th>
                <th scope="col" className="num">
                  Input tokens
                </th>
                <th scope="col" className="num">
                  Output tokens
                </th>
                <th scope="col" className="num">
                  Price applied (per 1M in / out)
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {g.usage.map((u) => (
                <tr key={u.id}>
                  <td data-label="Operation">
                    {u.operation === "CHAT"
                      ? "Writing"
                      : u.operation === "REVISION"
                        ? "Revising"
                        : "Embedding"}
                  </td>
                  <td data-label="Model">{u.model}</td>
                  <td data-label="Input tokens" className="num">
                    {num(u.inputTokens)}
                  </td>
                  <td data-label="Output tokens" className="num">
                    {num(u.outputTokens)}
                  </td>
                  <td data-label="Price applied" className="num">
                    {priceApplied(u)}
                  </td>
                  <td data-label="Cost" className="num">
                    {usd(u.costUsd)} {u.unpriced && <Badge tone="warn">no price</Badge>}
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  Total
                </th>
                <td data-label="Input tokens" className="num">
                  {num(g.inputTokens)}
                </td>
                <td data-label="Output tokens" className="num">
                  {num(g.outputTokens)}
                </td>
                <td />
                <td data-label="Cost" className="num strong">
                  {usd(g.costUsd)}
                </td>
              </tr>
            </tfoot>
          </table>
        )}
        {g.costUnpriced && (
          <p className="notice warning">
            A model had no price when this ran, so the cost shown is incomplete. Add its price under Models &
            prices.
          </p>
        )}
      </section>
      {g.status === "DELIVERED" && <DraftQuality {...quality} />}
      <section className="card">
        <h2>Draft</h2>
        {g.draft ? (
          <div className="draft">
            <Markdown text={g.draft} />
          </div>
        ) : (
          <EmptyState title="No draft text">
            {g.status === "QUEUED" || g.status === "RUNNING"
              ? "Still being written."
              : "Nothing was written."}
          </EmptyState>
        )}
      </section>
    </>
  );
}

type Loaded = Route.ComponentProps["loaderData"]["g"];

/** "$0.15 / $0.60", or why there is none: the price a call was charged at, kept with the call. */
function priceApplied(u: Loaded["usage"][number]): string {
  if (u.unpriced) return "no price";
  if (u.inputPerMTokUsd === null || u.outputPerMTokUsd === null) return "not recorded";
  return `${price(u.inputPerMTokUsd)} / ${price(u.outputPerMTokUsd)}`;
}

/** What it cost and why: who asked in which words, on which tier, and what a cache hit saved. */
function CostWhy({ g }: { g: Loaded }) {
  const chat = g.usage.filter((u) => u.operation !== "EMBEDDING");
  return (
    <section className="card" aria-labelledby="cost-why">
      <h2 id="cost-why">What it cost and why</h2>
      <dl className="facts">
        <Fact
          label={g.instruction ? "Instruction as typed" : "Message as typed"}
          value={g.instruction ?? g.rawText ?? "— (a form request, or recorded before messages were kept)"}
        />
        <Fact label="Tier at the time" value={g.tierName ?? "— (recorded before tiers were kept)"} />
        <Fact
          label="Price applied"
          value={
            chat.length
              ? chat.map((u) => `${u.model}: ${priceApplied(u)} per 1M tokens in / out`).join("; ")
              : "no model call"
          }
        />
        <Fact label="Cost" value={g.costUnpriced ? `${usd(g.costUsd)} (incomplete)` : usd(g.costUsd)} />
        {g.cacheHit && (
          <Fact
            label="Saved by the cache"
            value={
              g.savedUsd === null
                ? "unknown"
                : `${usd(g.savedUsd)}: what writing the cached draft cost; this hit called no model`
            }
          />
        )}
      </dl>
    </section>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export const ErrorBoundary = PageError;
