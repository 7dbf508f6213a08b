import { useLocation } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { FilterInput, FilterSelect, Filters, withParam } from "../components/filters.tsx";
import { EmptyState, PageError, PageHeader, Pager, useConsoleUser } from "../components/ui.tsx";
import { auditChanges } from "../lib/audit-summary.ts";
import { dateTime } from "../lib/format.ts";
import { entityNames } from "../names.server.ts";
import type { Route } from "./+types/audit";

export const meta: Route.MetaFunction = () => [{ title: "Audit log · Article Bot console" }];
const PAGE = 50;
const ENTITY_TYPES = [
  "Tier",
  "Requester",
  "Tenant",
  "TopicCacheEntry",
  "CorpusDocument",
  "ModelPrice",
  "Generation",
  "AdminSession",
];
const ENTITY_LABEL: Record<string, string> = {
  Tier: "Tiers",
  Requester: "Requesters",
  Tenant: "Workspaces",
  TopicCacheEntry: "Topic cache",
  CorpusDocument: "Corpus",
  ModelPrice: "Prices",
  Generation: "Playground",
  AdminSession: "Sign-ins",
};

/** What one thing of each type is called in a sentence ("Tier Pro", "Workspace Acme"). */
const ENTITY_NOUN: Record<string, string> = {
  Tier: "Tier",
  Requester: "Requester",
  Tenant: "Workspace",
  TopicCacheEntry: "Cache entry",
  CorpusDocument: "Document",
  ModelPrice: "Price",
  Generation: "Generation",
  AdminSession: "Sign-in",
  AdminUser: "Account",
};

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const s = new URL(request.url).searchParams;
  const q = (s.get("q") ?? "").trim().slice(0, 100);
  const entity = ENTITY_TYPES.includes(s.get("entity") ?? "") ? s.get("entity")! : "";
  const after = s.get("after")?.slice(0, 64) || null;
  const rows = await context.app.db.prisma.auditLog.findMany({
    where: {
      ...(entity ? { entityType: entity } : {}),
      ...(q
        ? {
            OR: [
              { actorEmail: { contains: q, mode: "insensitive" } },
              { action: { contains: q, mode: "insensitive" } },
              { entityId: q },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: PAGE + 1,
    ...(after ? { cursor: { id: after }, skip: 1 } : {}),
  });
  const page = rows.slice(0, PAGE);
  const names = await entityNames(
    context.app,
    page.flatMap((r) => (r.entityId ? [{ type: r.entityType, id: r.entityId }] : [])),
  );
  return {
    filters: { q, entity, after },
    next: rows.length > PAGE ? page.at(-1)!.id : null,
    entries: page.map((r) => ({
      id: r.id,
      createdAt: r.createdAt.toISOString(),
      actor: r.actorEmail,
      action: r.action,
      entityType: r.entityType,
      entityId: r.entityId,
      entityName: r.entityId ? (names.get(`${r.entityType}:${r.entityId}`) ?? null) : null,
      changes: auditChanges(r.before, r.after),
      ip: r.ip,
      before: r.before === null ? null : JSON.stringify(r.before, null, 2),
      after: r.after === null ? null : JSON.stringify(r.after, null, 2),
    })),
  };
}

export default function Audit({ loaderData }: Route.ComponentProps) {
  const { entries, filters, next } = loaderData;
  const { search } = useLocation();
  const { timeZone } = useConsoleUser();
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made in the console, with who made it, from where, and how things looked before and after."
      />
      <Filters resetTo="/audit">
        <FilterInput
          label="Who, what or id"
          name="q"
          value={filters.q}
          placeholder="e.g. ops@ or tier.update"
        />
        <FilterSelect
          label="Area"
          name="entity"
          value={filters.entity}
          options={[
            { value: "", label: "Everything" },
            ...ENTITY_TYPES.map((t) => ({ value: t, label: ENTITY_LABEL[t] ?? t })),
          ]}
        />
      </Filters>
      {entries.length === 0 ? (
        <EmptyState title={filters.q || filters.entity ? "Nothing matches" : "No changes recorded yet"}>
          Changes appear here the moment they are made.
        </EmptyState>
      ) : (
        <ol className="audit-list card flush">
          {entries.map((e) => (
            <li key={e.id} className="audit-entry">
              <div className="audit-head">
                <code className="audit-action">{e.action}</code>
                <span className="strong">{e.actor || "(unknown)"}</span>
                <span className="sub">
                  {dateTime(e.createdAt, timeZone)} {timeZone} · {ENTITY_NOUN[e.entityType] ?? e.entityType}{" "}
                  {e.entityName ? (
                    <span className="strong">{e.entityName}</span>
                  ) : e.entityId ? (
                    "(removed)"
                  ) : (
                    ""
                  )}{" "}
                  · {e.ip || "no ip"}
                </span>
              </div>
              {e.changes.length > 0 && (
                <ul className="audit-changes">
                  {e.changes.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              )}
              {(e.before || e.after) && (
                <details className="audit-diff">
                  <summary>Before and after (raw)</summary>
                  <div className="diff-grid">
                    <div>
                      <p className="sub">Before</p>
                      <pre>{e.before ?? "—"}</pre>
                    </div>
                    <div>
                      <p className="sub">After</p>
                      <pre>{e.after ?? "—"}</pre>
                    </div>
                  </div>
                </details>
              )}
            </li>
          ))}
        </ol>
      )}
      <Pager
        first={filters.after ? withParam(search, "after", null) : null}
        next={next ? withParam(search, "after", next) : null}
      />
    </>
  );
}

export const ErrorBoundary = PageError;
