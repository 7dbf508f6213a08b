import { Link } from "react-router";
import type { GenerationFilters, GenerationSort } from "../generations.server.ts";
import { PLATFORM_LABEL, STATUS_LABEL } from "../lib/format.ts";

/**
 * The generations log's visible filter state: one removable chip per filter in the URL (a
 * requester arriving from a link included), and column headers that sort.
 */

export interface Chip {
  param: string;
  label: string;
}

export function filterChips(
  f: GenerationFilters,
  names: {
    tiers: Array<{ id: string; name: string }>;
    workspaces: Array<{ id: string; name: string }>;
    requesterName: string;
  },
): Chip[] {
  const chips: Chip[] = [];
  const add = (param: string, label: string, on: unknown) => {
    if (on) chips.push({ param, label });
  };
  add("q", `Topic contains “${f.q}”`, f.q);
  add("requester", `Requester: ${names.requesterName}`, f.requester);
  add(
    "workspace",
    `Workspace: ${names.workspaces.find((w) => w.id === f.workspace)?.name ?? f.workspace}`,
    f.workspace,
  );
  add("model", `Model: ${f.model}`, f.model);
  add("tier", `Tier: ${names.tiers.find((t) => t.id === f.tier)?.name ?? f.tier}`, f.tier);
  add("platform", `Platform: ${PLATFORM_LABEL[f.platform] ?? f.platform}`, f.platform);
  add("status", `Status: ${STATUS_LABEL[f.status] ?? f.status}`, f.status);
  add("cache", f.cache === "hit" ? "Cache hits" : "Generated", f.cache);
  add("from", `From ${f.from}`, f.from);
  add("to", `To ${f.to}`, f.to);
  return chips;
}

/** The URL without one filter, back on the first page. */
function without(search: string, param: string): string {
  const params = new URLSearchParams(search);
  params.delete(param);
  params.delete("after");
  const s = params.toString();
  return s ? `?${s}` : "?";
}

export function FilterChips({ chips, search }: { chips: Chip[]; search: string }) {
  if (!chips.length) return null;
  return (
    <ul className="chips" aria-label="Active filters">
      {chips.map((c) => (
        <li key={c.param} className="chip">
          {c.label}
          <Link to={without(search, c.param)} aria-label={`Remove filter ${c.label}`}>
            ×
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function SortHeader({
  label,
  sortKey,
  sort,
  search,
  num = false,
}: {
  label: string;
  sortKey: "date" | "cost" | "latency";
  sort: GenerationSort;
  search: string;
  num?: boolean;
}) {
  const [key, dir] = sort.split("-");
  const active = key === sortKey;
  const next: GenerationSort = `${sortKey}-${active && dir === "desc" ? "asc" : "desc"}`;
  const params = new URLSearchParams(search);
  params.delete("after");
  if (next === "date-desc") params.delete("sort");
  else params.set("sort", next);
  return (
    <th
      scope="col"
      className={num ? "num" : undefined}
      aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"}
    >
      <Link to={`?${params}`} className="sort">
        {label}
        {active ? (dir === "asc" ? " ↑" : " ↓") : ""}
      </Link>
    </th>
  );
}
