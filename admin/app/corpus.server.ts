import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Actor, audited, recordAudit } from "../../core/admin/audit.ts";
import type { AppContext } from "../../core/app.ts";
import type { Pipeline } from "../../core/pipeline/index.ts";
import type { FileOutcome } from "../../core/retrieval/index.ts";

import { MAX_FILE_BYTES, MAX_FILES } from "./lib/format.ts";

/** The reference corpus: what retrieval draws excerpts from. */

/** The whole upload, multipart framing included. */
export const MAX_UPLOAD_BYTES = MAX_FILES * MAX_FILE_BYTES + 64 * 1024;
const PAGE = 50;

export async function listCorpus(app: AppContext, pipeline: Pipeline, q: string, after: string | null) {
  const p = app.db.prisma;
  const where = q
    ? {
        OR: [
          { title: { contains: q, mode: "insensitive" as const } },
          { source: { contains: q, mode: "insensitive" as const } },
        ],
      }
    : {};
  const [docs, totals, vectors] = await Promise.all([
    p.corpusDocument.findMany({
      where,
      orderBy: [{ updatedAt: "desc" }, { id: "desc" }],
      take: PAGE + 1,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
      select: {
        id: true,
        source: true,
        title: true,
        industry: true,
        language: true,
        chunkCount: true,
        updatedAt: true,
      },
    }),
    p.corpusDocument.aggregate({ _count: { _all: true }, _sum: { chunkCount: true } }),
    pipeline.retrieval.store.count().catch(() => null),
  ]);
  const page = docs.slice(0, PAGE);
  return {
    next: docs.length > PAGE ? page.at(-1)!.id : null,
    docs: page.map((d) => ({ ...d, updatedAt: d.updatedAt.toISOString() })),
    totals: { documents: totals._count._all, passages: totals._sum.chunkCount ?? 0, vectors },
    embedder: pipeline.retrieval.embedder.model,
  };
}

export type UploadRead = { ok: true; form: FormData } | { ok: false; status: 400 | 413; message: string };

/**
 * Reads a multipart body, refusing it past MAX_UPLOAD_BYTES. An oversized body is read to the
 * end and dropped (up to a point), so the browser sees the refusal instead of a reset connection.
 */
export async function readUpload(request: Request): Promise<UploadRead> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data"))
    return { ok: false, status: 400, message: "Send the files with the upload form (multipart/form-data)." };
  const tooLarge = {
    ok: false,
    status: 413,
    message: `That upload is too large: send at most ${MAX_FILES} files of up to ${MAX_FILE_BYTES / 1024 / 1024} MiB each.`,
  } as const;
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > 4 * MAX_UPLOAD_BYTES) return tooLarge;
  const reader = request.body?.getReader();
  if (!reader) return { ok: false, status: 400, message: "The upload was empty." };
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total <= MAX_UPLOAD_BYTES) chunks.push(value);
    else if (total > 4 * MAX_UPLOAD_BYTES) {
      await reader.cancel();
      break;
    }
  }
  if (total > MAX_UPLOAD_BYTES) return tooLarge;
  try {
    return {
      ok: true,
      form: await new Response(Buffer.concat(chunks), { headers: { "content-type": type } }).formData(),
    };
  } catch {
    return {
      ok: false,
      status: 400,
      message: "The upload could not be read. Choose the files again and resend.",
    };
  }
}

export interface FileCheck {
  name: string;
  status: FileOutcome["status"] | "refused";
  message: string;
  title?: string;
}

/** A safe, stable document name from an uploaded file name: its base name, tidied. */
export function sourceName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? "";
  return base
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}._-]+/gu, "-")
    .replace(/^[.-]+/, "")
    .slice(0, 120);
}

/**
 * Checks each file (Markdown, not empty, not too big, UTF-8 text) and ingests the good ones
 * through the core's ingester, which embeds them (through the embedding cache) and writes the
 * database and the vector store. The ingester commits per file, so the audit row follows it.
 */
export async function uploadDocuments(
  app: AppContext,
  pipeline: Pipeline,
  actor: Actor,
  files: File[],
): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  const accepted: Array<{ source: string; text: string }> = [];
  for (const file of files.slice(0, MAX_FILES)) {
    const name = file.name || "(no name)";
    const source = sourceName(name);
    const refuse = (message: string) => checks.push({ name, status: "refused", message });
    if (!/\.md$/i.test(name) || !/\.md$/i.test(source))
      refuse("Only Markdown files (.md) can be added to the corpus.");
    else if (file.size === 0) refuse("The file is empty.");
    else if (file.size > MAX_FILE_BYTES)
      refuse(
        `The file is ${(file.size / 1024 / 1024).toFixed(1)} MiB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MiB per file.`,
      );
    else if (accepted.some((a) => a.source.toLowerCase() === source.toLowerCase()))
      refuse("Another file in this upload has the same name.");
    else {
      const bytes = new Uint8Array(await file.arrayBuffer());
      let text: string | null = null;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        text = null;
      }
      if (text === null || text.includes("\u0000"))
        refuse("This is not a UTF-8 text file. Save it as UTF-8 Markdown and try again.");
      else if (!text.trim()) refuse("The file has no text.");
      else accepted.push({ source, text });
    }
  }
  if (files.length > MAX_FILES)
    checks.push({
      name: `${files.length - MAX_FILES} more`,
      status: "refused",
      message: `At most ${MAX_FILES} files per upload.`,
    });

  if (accepted.length) {
    const dir = await mkdtemp(path.join(tmpdir(), "ab-upload-"));
    try {
      for (const a of accepted) await writeFile(path.join(dir, a.source), a.text, "utf8");
      const summary = await pipeline.retrieval.ingestFolder(dir);
      for (const f of summary.files) {
        const message =
          f.status === "failed"
            ? `Not added: ${f.error ?? "the file could not be read"}.`
            : f.status === "unchanged"
              ? "Already in the corpus with the same content: nothing to do."
              : `${f.status === "added" ? "Added" : "Replaced the earlier version"}: ${f.chunks} passage${f.chunks === 1 ? "" : "s"} indexed.`;
        checks.push({ name: f.source, status: f.status, message, title: f.title });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const changed = checks.filter((c) => c.status === "added" || c.status === "updated");
  if (changed.length || checks.some((c) => c.status === "failed"))
    await recordAudit(app.db, actor, {
      action: "corpus.upload",
      entityType: "CorpusDocument",
      after: { files: checks.map(({ name, status, title }) => ({ name, status, title })) },
    });
  return checks;
}

/**
 * Removes a document from the vector store first, then from the database with its audit row:
 * if the second step failed, the next ingest would find the store short and refill it from the
 * database, so the two never disagree for long.
 */
export async function deleteDocument(app: AppContext, pipeline: Pipeline, actor: Actor, id: string) {
  const doc = await app.db.prisma.corpusDocument.findUnique({
    where: { id },
    select: { id: true, source: true, title: true, chunkCount: true },
  });
  if (!doc) return { ok: false as const, formError: "That document is already gone." };
  await pipeline.retrieval.store.deleteDocument(id);
  return audited(app.db, actor, async (tx) => {
    await tx.corpusDocument.deleteMany({ where: { id } });
    return {
      audit: {
        action: "corpus.delete",
        entityType: "CorpusDocument",
        entityId: id,
        before: doc,
        after: null,
      },
      value: { ok: true as const, notice: `“${doc.title}” removed from the corpus and the vector store.` },
    };
  });
}
