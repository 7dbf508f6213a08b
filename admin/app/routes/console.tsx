import { useEffect } from "react";
import { NavLink, Outlet, useLocation, useNavigation } from "react-router";
import { requireAdminUser } from "../auth.server.ts";
import { ConsoleHeader } from "../components/console-header.tsx";
import { PageError } from "../components/ui.tsx";
import type { Route } from "./+types/console";

/** The frame of every signed-in page. Each page's loader still checks the session itself:
 * loaders run in parallel, so a layout's guard alone protects nothing. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const user = await requireAdminUser(request, context);
  return {
    user: { email: user.email, name: user.name, role: user.role, timeZone: context.app.config.quotaTimeZone },
  };
}

const NAV: Array<{ to: string; label: string; end?: boolean }> = [
  { to: "/", label: "Overview", end: true },
  { to: "/generations", label: "Generations" },
  { to: "/quality", label: "Quality" },
  { to: "/limits", label: "Limits" },
  { to: "/requesters", label: "Requesters" },
  { to: "/workspaces", label: "Workspaces" },
  { to: "/tiers", label: "Tiers" },
  { to: "/cache", label: "Topic cache" },
  { to: "/corpus", label: "Corpus" },
  { to: "/models", label: "Models & prices" },
  { to: "/playground", label: "Playground" },
  { to: "/audit", label: "Audit log" },
  { to: "/settings", label: "Budgets" },
  { to: "/account", label: "Accounts" },
];

export default function ConsoleLayout({ loaderData }: Route.ComponentProps) {
  const { user } = loaderData;
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const { pathname } = useLocation();
  // On a phone the navigation is a scrolling strip: keep the current page's link in view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs again whenever the page changes
  useEffect(() => {
    const strip = document.querySelector<HTMLElement>(".sidenav");
    const active = strip?.querySelector<HTMLElement>("a.active");
    if (strip && active && strip.scrollWidth > strip.clientWidth)
      strip.scrollLeft = active.offsetLeft - (strip.clientWidth - active.offsetWidth) / 2;
  }, [pathname]);
  return (
    <div className="shell">
      <div
        className={`progress${busy ? " active" : ""}`}
        role="progressbar"
        aria-hidden={!busy}
        aria-label="Loading"
      />
      <a href="#main" className="skip">
        Skip to content
      </a>
      <ConsoleHeader email={user.email} role={user.role} timeZone={user.timeZone} />
      <div className="frame">
        <nav className="sidenav" aria-label="Console">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end} prefetch="intent">
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="content" aria-busy={busy || undefined}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}

export function ErrorBoundary() {
  return (
    <main className="page narrow">
      <PageError />
    </main>
  );
}
