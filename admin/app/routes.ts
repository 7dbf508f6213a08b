import { index, layout, type RouteConfig, route } from "@react-router/dev/routes";

// Config-based routes: the whole console's URL space, readable in one place.
export default [
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.tsx"),
  // Resource routes (no page around them): the CSV export and the playground's live chunks.
  route("generations.csv", "routes/generations-csv.ts"),
  route("playground/:id/chunks", "routes/playground-chunks.ts"),
  layout("routes/console.tsx", [
    index("routes/home.tsx"),
    route("generations", "routes/generations.tsx"),
    route("generations/:id", "routes/generation.tsx"),
    route("quality", "routes/quality.tsx"),
    route("limits", "routes/limits.tsx"),
    route("requesters", "routes/requesters.tsx"),
    route("requesters/:id", "routes/requester.tsx"),
    route("workspaces", "routes/workspaces.tsx"),
    route("tiers", "routes/tiers.tsx"),
    route("tiers/new", "routes/tier-new.tsx"),
    route("tiers/:id", "routes/tier.tsx"),
    route("cache", "routes/cache.tsx"),
    route("cache/:id", "routes/cache-entry.tsx"),
    route("corpus", "routes/corpus.tsx"),
    route("models", "routes/models.tsx"),
    route("playground", "routes/playground.tsx"),
    route("audit", "routes/audit.tsx"),
    route("settings", "routes/settings.tsx"),
    route("account", "routes/account.tsx"),
  ]),
] satisfies RouteConfig;
