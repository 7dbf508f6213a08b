import type { Database, Prisma } from "../db/client.ts";
import { bumpCatalogVersion, CATALOG_ENTITIES } from "../records/catalog-version.ts";

/** Who changed something in the console, as the audit log records them. */
export interface Actor {
  /** The console account; empty for the command line (core/admin/cli.ts), which has none. */
  userId: string;
  email: string;
  ip: string;
}

/** One audit row: what was done to which thing, and how it looked before and after. */
export interface AuditEntry {
  /** Dotted verb, e.g. "tier.update", "requester.block", "cache.invalidate". */
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** What a change reports back: its audit row (null when nothing changed) and a value for the caller. */
export interface AuditedChange<T> {
  audit: AuditEntry | null;
  value: T;
}

/**
 * Runs a console change and writes its audit row in the same database transaction, so there is
 * never a change without its row, nor a row for a change that rolled back. A change to a tier,
 * price, requester or workspace also moves the catalog version in that transaction, so every
 * process's cached copy is reloaded by its next request (core/records/catalog.ts).
 *
 * Inside `change`, use only `tx` (or services that touch no database, such as Redis counters):
 * the embedded database has a single connection, so a query through the global client would
 * wait for this very transaction to finish.
 */
export async function audited<T>(
  db: Database,
  actor: Actor,
  change: (tx: Prisma.TransactionClient) => Promise<AuditedChange<T>>,
): Promise<T> {
  return db.prisma.$transaction(
    async (tx) => {
      const { audit, value } = await change(tx);
      if (audit) await tx.auditLog.create({ data: auditRow(actor, audit) });
      if (audit && CATALOG_ENTITIES.has(audit.entityType)) await bumpCatalogVersion(tx);
      return value;
    },
    { timeout: 30_000 },
  );
}

/** For changes made by a core service with its own transactions (ingesting files, queueing
 * generations): the row follows the change, and says what actually happened. */
export async function recordAudit(db: Database, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.prisma.auditLog.create({ data: auditRow(actor, entry) });
  if (CATALOG_ENTITIES.has(entry.entityType)) await bumpCatalogVersion(db.prisma);
}

function auditRow(actor: Actor, e: AuditEntry): Prisma.AuditLogUncheckedCreateInput {
  return {
    actorId: actor.userId || null,
    actorEmail: actor.email,
    ip: actor.ip,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId ?? null,
    before: toJson(e.before),
    after: toJson(e.after),
  };
}

/** Dates as ISO strings, Decimals as strings, bigints as numbers: what a JSON column can hold. */
function toJson(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? Number(v) : v)),
  ) as Prisma.InputJsonValue;
}

/** The fields whose values differ, for a compact before/after pair. */
export function diff<T extends Record<string, unknown>>(
  before: T,
  after: Partial<T>,
): { before: Partial<T>; after: Partial<T> } | null {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const key of Object.keys(after) as Array<keyof T>) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key];
      a[key] = after[key];
    }
  }
  return Object.keys(a).length ? { before: b, after: a } : null;
}
