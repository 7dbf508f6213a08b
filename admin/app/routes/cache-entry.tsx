import { data, Form, Link } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { readableKey } from "../cache.server.ts";
import { Markdown } from "../components/markdown.tsx";
import { Badge, PageError, PageHeader, SubmitButton, useCanEdit, useConsoleUser } from "../components/ui.tsx";
import { dateTime, num, SCOPE_LABEL } from "../lib/format.ts";
import type { Route } from "./+types/cache-entry";

/**
 * One topic-cache entry with its whole draft. Pinning shares a draft with every tenant, and a
 * draft can carry whatever its requester put in the request, so the console only pins from
 * here, after the admin has seen exactly what everyone would be served.
 */

export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.entry.topic ?? "Cache entry"} · Article Bot console` },
];

export async function loader({ request, params, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const e = await context.app.db.prisma.topicCacheEntry.findUnique({
    where: { id: params.id },
    select: {
      id: true,
      topic: true,
      title: true,
      draft: true,
      words: true,
      scope: true,
      key: true,
      pinnedShared: true,
      expiresAt: true,
      hits: true,
      tenant: { select: { name: true, externalId: true } },
      requester: { select: { displayName: true, externalId: true } },
    },
  });
  if (!e) throw data({ message: "There is no such cache entry." }, { status: 404 });
  const { tenant, requester, ...entry } = e;
  return {
    entry: {
      ...entry,
      readableKey: readableKey(e.key, { tenant, requester }),
      expiresAt: e.expiresAt.toISOString(),
    },
  };
}

export default function CacheEntry({ loaderData }: Route.ComponentProps) {
  const { entry: e } = loaderData;
  const { timeZone } = useConsoleUser();
  const canEdit = useCanEdit();
  return (
    <>
      <PageHeader
        title={e.topic}
        description={
          <>
            {SCOPE_LABEL[e.scope]} · {num(e.words)} words · {num(e.hits)} hits ·{" "}
            {e.pinnedShared ? "pinned" : `expires ${dateTime(e.expiresAt, timeZone)}`}{" "}
            {e.pinnedShared && <Badge tone="accent">Pinned</Badge>}
          </>
        }
        actions={<Link to="/cache">Back to the cache</Link>}
      />
      {canEdit && (
        <section className="card">
          <h2>{e.pinnedShared ? "Shared with everyone" : "Share with everyone?"}</h2>
          <p className="muted">
            {e.pinnedShared
              ? "Anyone, in any workspace, asking for the same thing is served this draft."
              : "Pinning serves this exact draft, below, to anyone in any workspace who asks for the same thing, until it is unpinned. Read it first."}
          </p>
          <Form method="post" action="/cache" className="form-actions">
            <input type="hidden" name="id" value={e.id} />
            <input type="hidden" name="reviewed" value={e.id} />
            <SubmitButton
              intent={e.pinnedShared ? "unpin" : "pin"}
              tone="secondary"
              pendingText={e.pinnedShared ? "Unpinning…" : "Pinning…"}
            >
              {e.pinnedShared ? "Unpin" : "Pin this draft for everyone"}
            </SubmitButton>
          </Form>
        </section>
      )}
      <section className="card">
        <h2>The draft, as it would be served</h2>
        <div className="sub" title={e.key}>
          {e.readableKey}
        </div>
        <Markdown text={e.draft} />
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <PageError />;
}
