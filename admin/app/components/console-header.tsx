import { Form, Link } from "react-router";
import type { AdminRole } from "../../../core/db/client.ts";

export const ROLE_LABEL: Record<AdminRole, string> = { ADMIN: "Admin", VIEWER: "Viewer (read-only)" };

/** The bar on every signed-in page: where you are, who you are, and the way out. */
export function ConsoleHeader({ email, role }: { email: string; role: AdminRole }) {
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
