import { requireAdminUser } from "../auth.server.ts";
import { ConsoleHeader, ROLE_LABEL } from "../components/console-header.tsx";
import { loadOverview } from "../overview.server.ts";
import type { Route } from "./+types/home";

export const meta: Route.MetaFunction = () => [{ title: "Overview · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const user = await requireAdminUser(request, context);
  const overview = await loadOverview(context.app);
  return { user: { email: user.email, name: user.name, role: user.role }, ...overview };
}

const COUNT_LABELS = [
  ["tiers", "Tiers in use"],
  ["tenants", "Workspaces and LINE channels"],
  ["requesters", "Requesters"],
  ["generations", "Articles requested"],
] as const;

export default function Home({ loaderData }: Route.ComponentProps) {
  const { user, parts, counts } = loaderData;
  return (
    <>
      <ConsoleHeader email={user.email} role={user.role} />
      <main className="page">
        <h1>Overview</h1>
        <p className="lead">
          Signed in as <strong>{user.name ? `${user.name} (${user.email})` : user.email}</strong>, role{" "}
          <strong>{ROLE_LABEL[user.role]}</strong>.
        </p>

        <section className="card">
          <h2>In the database now</h2>
          <dl className="stats">
            {COUNT_LABELS.map(([key, label]) => (
              <div key={key} className="stat">
                <dt>{label}</dt>
                <dd>{counts[key].toLocaleString("en-US")}</dd>
              </div>
            ))}
          </dl>
        </section>

        <section className="card">
          <h2>How this process is configured</h2>
          <dl className="parts">
            {parts.map((part) => (
              <div key={part.name} className="part">
                <dt>{part.name}</dt>
                <dd>{part.value}</dd>
              </div>
            ))}
          </dl>
        </section>

        <p className="note">
          Managing tiers, requesters, the topic cache, the reference corpus and costs is not in the console yet: those pages
          arrive with the console issue. Until then this page shows the configuration this process started with and live
          counts from the database.
        </p>
      </main>
    </>
  );
}
