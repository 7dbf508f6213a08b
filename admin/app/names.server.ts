import type { AppContext } from "../../core/app.ts";

/**
 * Names for ids, so pages show "Tier Pro" and "Acme Corp" rather than "Tier cmx527njz…": one
 * batched lookup per kind of thing. An id with no row any more keeps a short form of itself.
 */
export type EntityRef = { type: string; id: string };

export async function entityNames(app: AppContext, refs: EntityRef[]): Promise<Map<string, string>> {
  const p = app.db.prisma;
  const ids = (type: string) => [...new Set(refs.filter((r) => r.type === type).map((r) => r.id))];
  const [tiers, requesters, tenants, entries, docs, generations, admins] = await Promise.all([
    some(ids("Tier"), (id) =>
      p.tier.findMany({ where: { id: { in: id } }, select: { id: true, name: true } }),
    ),
    some(ids("Requester"), (id) =>
      p.requester.findMany({
        where: { id: { in: id } },
        select: { id: true, displayName: true, externalId: true },
      }),
    ),
    some(ids("Tenant"), (id) =>
      p.tenant.findMany({ where: { id: { in: id } }, select: { id: true, name: true, externalId: true } }),
    ),
    some(ids("TopicCacheEntry"), (id) =>
      p.topicCacheEntry.findMany({ where: { id: { in: id } }, select: { id: true, topic: true } }),
    ),
    some(ids("CorpusDocument"), (id) =>
      p.corpusDocument.findMany({ where: { id: { in: id } }, select: { id: true, title: true } }),
    ),
    some(ids("Generation"), (id) =>
      p.generation.findMany({ where: { id: { in: id } }, select: { id: true, topic: true } }),
    ),
    some(ids("AdminUser"), (id) =>
      p.adminUser.findMany({ where: { id: { in: id } }, select: { id: true, email: true } }),
    ),
  ]);
  const names = new Map<string, string>();
  for (const t of tiers) names.set(`Tier:${t.id}`, t.name);
  for (const r of requesters) names.set(`Requester:${r.id}`, r.displayName || r.externalId);
  for (const t of tenants) names.set(`Tenant:${t.id}`, t.name || t.externalId);
  for (const e of entries) names.set(`TopicCacheEntry:${e.id}`, e.topic);
  for (const d of docs) names.set(`CorpusDocument:${d.id}`, d.title);
  for (const g of generations) names.set(`Generation:${g.id}`, g.topic);
  for (const a of admins) names.set(`AdminUser:${a.id}`, a.email);
  // A price is keyed by its model: the id is the name.
  for (const id of ids("ModelPrice")) names.set(`ModelPrice:${id}`, id);
  return names;
}

async function some<T>(ids: string[], find: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  return ids.length ? find(ids) : [];
}

/** A workspace's name for a tenant id, for keys such as "tenant:<id>:…" in the topic cache. */
export async function workspaceNames(app: AppContext, tenantIds: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(tenantIds)];
  if (!unique.length) return new Map();
  const rows = await app.db.prisma.tenant.findMany({
    where: { id: { in: unique } },
    select: { id: true, name: true, externalId: true, platform: true },
  });
  return new Map(rows.map((t) => [t.id, t.name || t.externalId]));
}
