import { Form, Link } from "react-router";
import type { AdminRole } from "../../../core/db/client.ts";

export const ROLE_LABEL: Record<AdminRole, string> = { ADMIN: "Admin", VIEWER: "Viewer (read-only)" };

/**
 * The bar on every signed-in page: where you are, who you are, the way out, and the one time
 * zone every time on the pages is in (the quota time zone, where days and months turn over).
 */
export function ConsoleHeader({
  email,
  role,
  timeZone,
}: {
  email: string;
  role: AdminRole;
  timeZone: string;
}) {
  return (
    <header className="topbar">
      <Link to="/" className="brand">
        <span className="logo" aria-hidden="true">
          AB
        </span>
        <span>
          Article Bot<span className="brand-suffix"> console</span>
        </span>
      </Link>
      <div className="who">
        <span className="sub time-zone" title="Days, months and every time shown are in the quota time zone">
          Times in {timeZone}
        </span>
        <span className="email" title={email}>
          {email}
        </span>
        <span className={`badge ${role === "ADMIN" ? "accent" : "neutral"}`}>{ROLE_LABEL[role]}</span>
        <Form method="post" action="/logout">
          <button type="submit" className="button quiet">
            Sign out
          </button>
        </Form>
      </div>
    </header>
  );
}
