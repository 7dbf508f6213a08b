import { data, Form, useLocation } from "react-router";
import { requireAdminAction, requireAdminUser } from "../auth.server.ts";
import { FilterInput, Filters, withParam } from "../components/filters.tsx";
import {
  ActionNotice,
  Badge,
  EmptyState,
  Notice,
  PageError,
  PageHeader,
  Pager,
  ReadOnlyNote,
  SubmitButton,
  useCanEdit,
  useConsoleUser,
} from "../components/ui.tsx";
import { deleteDocument, type FileCheck, listCorpus, readUpload, uploadDocuments } from "../corpus.server.ts";
import { dateTime, MAX_FILE_BYTES, MAX_FILES, num } from "../lib/format.ts";
import { done, invalid } from "../lib/forms.server.ts";
import type { Route } from "./+types/corpus";

export const meta: Route.MetaFunction = () => [{ title: "Corpus · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const s = new URL(request.url).searchParams;
  const q = (s.get("q") ?? "").trim().slice(0, 100);
  const after = s.get("after")?.slice(0, 64) || null;
  return { q, after, ...(await listCorpus(context.app, context.pipeline, q, after)) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { actor } = await requireAdminAction(request, context);
  const { app, pipeline } = context;
  if ((request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
    const read = await readUpload(request);
    if (!read.ok)
      return data(
        {
          ok: false as const,
          intent: "upload",
          formError: read.message,
          fieldErrors: {},
          values: {},
          files: [] as FileCheck[],
        },
        { status: read.status },
      );
    // An empty file input still sends one nameless, zero-byte part; a zero-byte file the admin
    // chose has a name and must reach the "The file is empty." check, not vanish.
    const files = read.form
      .getAll("files")
      .filter((f): f is File => typeof f !== "string" && (f.name !== "" || f.size > 0));
    if (!files.length)
      return data(
        {
          ok: false as const,
          intent: "upload",
          formError: null,
          fieldErrors: { files: "Choose one or more .md files to upload." },
          values: {},
          files: [] as FileCheck[],
        },
        { status: 400 },
      );
    const checks = await uploadDocuments(app, pipeline, actor, files);
    const good = checks.filter(
      (c) => c.status === "added" || c.status === "updated" || c.status === "unchanged",
    ).length;
    const bad = checks.length - good;
    const status = good === 0 ? 400 : 200;
    return data(
      {
        ok: good > 0,
        intent: "upload",
        // Counted against the files chosen, so "2 of 4" matches what the admin picked.
        notice: `${good} of ${files.length} file${files.length === 1 ? "" : "s"} in the corpus.`,
        formError: bad && !good ? "No file was added: see why below." : null,
        fieldErrors: {},
        values: {},
        files: checks,
      },
      { status },
    );
  }
  const form = await request.formData();
  const id = String(form.get("id") ?? "").slice(0, 64);
  if (form.get("intent") !== "delete" || !id)
    return invalid({ fieldErrors: {}, formError: "Unknown action." });
  const result = await deleteDocument(app, pipeline, actor, id);
  return result.ok
    ? done(result.notice, "delete")
    : invalid({ intent: "delete", fieldErrors: {}, formError: result.formError });
}

const STATUS_TONE = {
  added: "good",
  updated: "good",
  unchanged: "neutral",
  failed: "bad",
  refused: "bad",
} as const;

export default function Corpus({ loaderData, actionData }: Route.ComponentProps) {
  const { docs, totals, q, after, next, embedder } = loaderData;
  const { search } = useLocation();
  const { timeZone } = useConsoleUser();
  const canEdit = useCanEdit();
  const files = actionData && "files" in actionData ? (actionData.files as FileCheck[]) : [];
  const fileError =
    actionData && "fieldErrors" in actionData
      ? (actionData.fieldErrors as Record<string, string>).files
      : undefined;
  return (
    <>
      <PageHeader
        title="Corpus"
        description={`Reference articles the drafts draw excerpts from: ${num(totals.documents)} documents, ${num(totals.passages)} passages, ${totals.vectors === null ? "vector store unreachable" : `${num(totals.vectors)} vectors`} (${embedder}).`}
      />
      <ReadOnlyNote what="change the corpus" />
      <ActionNotice result={actionData && !files.length ? actionData : undefined} />
      {files.length > 0 && (
        <section className="card" aria-live="polite">
          <h2>Upload results</h2>
          {actionData && "notice" in actionData && <p className="muted">{actionData.notice}</p>}
          <ul className="plain-list results">
            {files.map((f) => (
              <li key={f.name}>
                <Badge tone={STATUS_TONE[f.status]}>{f.status}</Badge>{" "}
                <span className="strong">{f.name}</span>
                {f.title && f.title !== f.name ? ` — ${f.title}` : ""}
                <div className="sub">{f.message}</div>
              </li>
            ))}
          </ul>
        </section>
      )}
      {canEdit && (
        <section className="card">
          <h2>Upload Markdown</h2>
          <Form method="post" encType="multipart/form-data" className="form upload" noValidate>
            <div className="field">
              <label htmlFor="files">Markdown files</label>
              <input
                id="files"
                name="files"
                type="file"
                accept=".md,text/markdown"
                multiple
                aria-invalid={fileError ? true : undefined}
                aria-describedby="files-hint"
              />
              {fileError ? (
                <p className="field-error" id="files-hint">
                  {fileError}
                </p>
              ) : (
                <p className="hint" id="files-hint">
                  Up to {MAX_FILES} .md files, {MAX_FILE_BYTES / 1024 / 1024} MiB each. Optional front matter:
                  title, industry, language. A file with the same name replaces the earlier one.
                </p>
              )}
            </div>
            <div className="form-actions">
              <SubmitButton pendingText="Uploading and indexing…">Upload and index</SubmitButton>
            </div>
          </Form>
        </section>
      )}
      <Filters resetTo="/corpus" label="Search">
        <FilterInput label="Title or file name" name="q" value={q} />
      </Filters>
      {docs.length === 0 ? (
        <EmptyState title={q ? "No document matches" : "The corpus is empty"}>
          {q ? (
            "Try another word."
          ) : (
            <>
              Upload Markdown articles above, or run <code>npm run ingest -- data/corpus</code>.
            </>
          )}
        </EmptyState>
      ) : (
        <div className="card flush">
          <table className="rtable">
            <thead>
              <tr>
                <th scope="col">Document</th>
                <th scope="col">Industry</th>
                <th scope="col">Language</th>
                <th scope="col" className="num">
                  Passages
                </th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {docs.map((d) => (
                <tr key={d.id}>
                  <td data-label="Document">
                    <span className="strong">{d.title}</span>
                    <div className="sub mono">{d.source}</div>
                  </td>
                  <td data-label="Industry">{d.industry ?? "—"}</td>
                  <td data-label="Language">{d.language === "th" ? "Thai" : "English"}</td>
                  <td data-label="Passages" className="num">
                    {num(d.chunkCount)}
                  </td>
                  <td data-label="Updated">{dateTime(d.updatedAt, timeZone)}</td>
                  <td data-label="Actions">
                    {canEdit && (
                      <Form
                        method="post"
                        onSubmit={(e) => {
                          if (!confirm(`Remove “${d.title}” from the corpus?`)) e.preventDefault();
                        }}
                      >
                        <input type="hidden" name="id" value={d.id} />
                        <SubmitButton intent="delete" rowId={d.id} tone="quiet" pendingText="Deleting…">
                          Delete
                        </SubmitButton>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        first={after ? withParam(search, "after", null) : null}
        next={next ? withParam(search, "after", next) : null}
      />
      {totals.vectors !== null && totals.vectors !== totals.passages && (
        <Notice tone="warning">
          The vector store holds {num(totals.vectors)} vectors for {num(totals.passages)} passages; the next
          upload or ingest brings it back in step.
        </Notice>
      )}
    </>
  );
}

export const ErrorBoundary = PageError;
