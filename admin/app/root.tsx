import type { ReactNode } from "react";
import { isRouteErrorResponse, Link, Links, Meta, Outlet, Scripts, ScrollRestoration } from "react-router";
import type { Route } from "./+types/root";
import stylesheet from "./styles.css?url";

export const links: Route.LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "data:," }, // no favicon yet; saves a 404 on every page
];

export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

const KNOWN: Record<number, { title: string; text: string }> = {
  403: { title: "Not allowed", text: "Your account cannot do this. Ask an admin if you need it." },
  404: { title: "Page not found", text: "There is no console page at this address." },
  405: { title: "Not allowed", text: "This address does not accept that kind of request." },
  429: { title: "Too many requests", text: "Wait a little and try again." },
};

/** Says what happened in words; the details stay in the server log. A stack trace is shown only
 * by a development build (vite dev), never by `react-router build` output. */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  let title = "Something went wrong";
  let text = "The console could not show this page. The error has been logged; try again in a moment.";
  let details: string | undefined;
  if (isRouteErrorResponse(error)) {
    const known = KNOWN[error.status];
    title = known?.title ?? `${error.status} ${error.statusText}`.trim();
    // Refusals we throw on purpose carry a message written for people: data({ message }, { status }).
    const message: unknown = error.data?.message;
    text = typeof message === "string" ? message : (known?.text ?? text);
  } else if (import.meta.env.DEV && error instanceof Error) {
    details = error.stack ?? error.message;
  }
  return (
    <main className="page narrow">
      <section className="card">
        <h1>{title}</h1>
        <p>{text}</p>
        {details && <pre className="details">{details}</pre>}
        <p>
          <Link to="/">Back to the console</Link>
        </p>
      </section>
    </main>
  );
}
