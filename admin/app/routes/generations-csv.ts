import { requireAdminUser } from "../auth.server.ts";
import { generationPage, generationWhere, readGenerationFilters } from "../generations.server.ts";
import { csvRow } from "../lib/csv.ts";
import { dateTimeSeconds } from "../lib/format.ts";
import type { Route } from "./+types/generations-csv";

const BATCH = 500;
/** The header; the time column names its zone (the quota time zone), e.g. `created_at (Asia/Bangkok)`. */
const columns = (timeZone: string) => [
  "id",
  `created_at (${timeZone})`,
  "platform",
  "workspace",
  "requester",
  "requester_id",
  "status",
  "topic",
  "language",
  "target_words",
  "words",
  "tier_at_time",
  "model",
  "input_tokens",
  "output_tokens",
  "cost_usd",
  "cost_incomplete",
  "cache_hit",
  "latency_ms",
  "first_chunk_ms",
  "error_code",
];

/**
 * The generations log as CSV, with the list's filters. Streamed in keyset pages of 500 rows, so
 * exporting a million rows holds one page in memory, never the whole result.
 */
export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdminUser(request, context);
  const filters = readGenerationFilters(new URL(request.url));
  const where = generationWhere(filters);
  const { app } = context;
  const timeZone = app.config.quotaTimeZone;
  const encoder = new TextEncoder();
  let after: string | null = null;
  let started = false;
  let finished = false;

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        // The BOM makes spreadsheet programs read the file as UTF-8 (Thai topics stay Thai).
        controller.enqueue(encoder.encode(`\uFEFF${csvRow(columns(timeZone))}`));
        return;
      }
      if (finished) return controller.close();
      try {
        const rows = await generationPage(app, where, after, BATCH);
        if (request.signal.aborted) return controller.close();
        if (rows.length < BATCH) finished = true;
        after = rows.at(-1)?.id ?? null;
        let chunk = "";
        for (const g of rows) {
          chunk += csvRow([
            g.id,
            dateTimeSeconds(g.createdAt, timeZone),
            g.platform,
            g.tenant.name || g.tenant.externalId,
            g.requester.displayName || g.requester.externalId,
            g.requester.id,
            g.status,
            g.topic,
            g.language,
            g.targetWords,
            g.words,
            g.tierName,
            g.model,
            g.inputTokens,
            g.outputTokens,
            g.costUsd.toString(),
            g.costUnpriced,
            g.cacheHit,
            g.latencyMs,
            g.firstChunkMs,
            g.errorCode,
          ]);
        }
        if (chunk) controller.enqueue(encoder.encode(chunk));
        if (finished) controller.close();
      } catch (err) {
        app.logger.error({ err }, "CSV export failed part-way");
        controller.error(err);
      }
    },
  });

  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="generations-${stamp}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
