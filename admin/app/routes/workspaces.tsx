import { Form, useLocation } from "react-router";
import { z } from "zod";
import type { Platform } from "../../../core/db/client.ts";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import { FilterInput, FilterSelect, Filters, withParam } from "../components/filters.tsx";
import {
  ActionNotice,
  EmptyState,
  PageError,
  PageHeader,
  Pager,
  ReadOnlyNote,
  SubmitButton,
  useCanEdit,
} from "../components/ui.tsx";
import { num, PLATFORM_LABEL } from "../lib/format.ts";
import { done, invalid, parseForm } from "../lib/forms.server.ts";
import { activeTiers, PLATFORMS, renameWorkspace, setWorkspaceDefaultTier } from "../requesters.server.ts";
import type { Route } from "./+types/workspaces";

export const meta: Route.MetaFunction = () => [{ title: "Workspaces · Article Bot console" }];
const PAGE = 25;

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const s = new URL(request.url).searchParams;
  const q = (s.get("q") ?? "").trim().slice(0, 100);
  const platform = (PLATFORMS as readonly string[]).includes(s.get("platform") ?? "")
    ? (s.get("platform") as Platform)
    : "";
  const after = s.get("after")?.slice(0, 64) || null;
  const [rows, tiers] = await Promise.all([
    context.app.db.prisma.tenant.findMany({
      where: {
        ...(platform ? { platform } : {}),
        ...(q
          ? {
              OR: [
                { name: { contains: q, mode: "insensitive" } },
                { externalId: { contains: q, mode: "insensitive" } },
              ],
            }
          : {}),
      },
      include: {
        defaultTier: { select: { id: true, name: true } },
        _count: { select: { requesters: true } },
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: PAGE + 1,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    }),
    activeTiers(context.app),
  ]);
  const page = rows.slice(0, PAGE);
  return {
    filters: { q, platform, after },
    next: rows.length > PAGE ? page.at(-1)!.id : null,
    tiers,
    workspaces: page.map((t) => ({
      id: t.id,
      name: t.name || t.externalId,
      ownName: t.name,
      externalId: t.externalId,
      platform: t.platform,
      requesters: t._count.requesters,
      defaultTier: t.defaultTier,
    })),
  };
}

const Schema = z.object({
  id: z.string().min(1).max(64),
  tierId: z.string({ error: "Choose a tier." }).min(1, "Choose a tier.").max(64),
});

const RenameSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().trim().max(80, "Keep the name under 80 characters."),
});

export async function action({ request, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const form = await request.formData();
  if (form.get("intent") === "rename") {
    const rename = parseForm(RenameSchema, form);
    if (!rename.ok) return invalid({ ...rename, formError: rename.fieldErrors.name ?? "Type a name." });
    const renamed = await renameWorkspace(context.app, actor, rename.data.id, rename.data.name);
    if (!renamed.ok) return invalid({ fieldErrors: {}, formError: renamed.formError, values: rename.values });
    return done(renamed.notice);
  }
  const parsed = parseForm(Schema, form);
  if (!parsed.ok)
    return invalid({ ...parsed, formError: parsed.fieldErrors.tierId ?? "Choose a workspace and a tier." });
  const result = await setWorkspaceDefaultTier(context.app, actor, parsed.data.id, parsed.data.tierId);
  if (!result.ok)
    return invalid({
      fieldErrors: result.fieldErrors ?? {},
      formError: result.formError ?? result.fieldErrors?.tierId,
      values: parsed.values,
    });
  return done(result.notice);
}

export default function Workspaces({ loaderData, actionData }: Route.ComponentProps) {
  const { workspaces, tiers, filters, next } = loaderData;
  const { search } = useLocation();
  const canEdit = useCanEdit();
  return (
    <>
      <PageHeader
        title="Workspaces"
        description="Slack workspaces and LINE channels. Their default tier applies to every requester who has no tier of their own, from the next request."
      />
      <ReadOnlyNote what="rename workspaces or change default tiers" />
      <ActionNotice result={actionData} />
      <Filters resetTo="/workspaces" label="Search">
        <FilterInput label="Name or id" name="q" value={filters.q} />
        <FilterSelect
          label="Platform"
          name="platform"
          value={filters.platform}
          options={[
            { value: "", label: "All platforms" },
            ...Object.entries(PLATFORM_LABEL).map(([value, label]) => ({ value, label })),
          ]}
        />
      </Filters>
      {workspaces.length === 0 ? (
        <EmptyState title={filters.q || filters.platform ? "No workspace matches" : "No workspaces yet"}>
          Workspaces appear when the bot first hears from a Slack team or a LINE channel.
        </EmptyState>
      ) : (
        <div className="card flush">
          <table className="rtable">
            <thead>
              <tr>
                <th scope="col">Workspace</th>
                <th scope="col" className="num">
                  Requesters
                </th>
                <th scope="col">Default tier</th>
              </tr>
            </thead>
            <tbody>
              {workspaces.map((w) => (
                <tr key={w.id}>
                  <td data-label="Workspace">
                    <span className="strong">{w.name}</span>
                    <div className="sub">
                      {PLATFORM_LABEL[w.platform]} · {w.externalId}
                    </div>
                    {canEdit && (
                      <Form method="post" className="row-form rename-form">
                        <input type="hidden" name="intent" value="rename" />
                        <input type="hidden" name="id" value={w.id} />
                        <label className="visually-hidden" htmlFor={`name-${w.id}`}>
                          Name of {w.name}
                        </label>
                        <input
                          id={`name-${w.id}`}
                          name="name"
                          defaultValue={w.ownName}
                          placeholder={w.externalId}
                          maxLength={80}
                        />
                        <SubmitButton rowId={w.id} tone="secondary" pendingText="Renaming…">
                          Rename
                        </SubmitButton>
                      </Form>
                    )}
                  </td>
                  <td data-label="Requesters" className="num">
                    {num(w.requesters)}
                  </td>
                  <td data-label="Default tier">
                    <Form method="post" className="row-form">
                      <input type="hidden" name="id" value={w.id} />
                      <label className="visually-hidden" htmlFor={`tier-${w.id}`}>
                        Default tier of {w.name}
                      </label>
                      <select
                        id={`tier-${w.id}`}
                        name="tierId"
                        defaultValue={w.defaultTier.id}
                        disabled={!canEdit}
                      >
                        {!tiers.some((t) => t.id === w.defaultTier.id) && (
                          <option value={w.defaultTier.id}>{w.defaultTier.name} (retired)</option>
                        )}
                        {tiers.map((t) => (
                          <option key={t.id} value={t.id}>
                            {t.name}
                          </option>
                        ))}
                      </select>
                      {canEdit && (
                        <SubmitButton rowId={w.id} tone="secondary" pendingText="Saving…">
                          Save
                        </SubmitButton>
                      )}
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        first={filters.after ? withParam(search, "after", null) : null}
        next={next ? withParam(search, "after", next) : null}
      />
    </>
  );
}

export const ErrorBoundary = PageError;
