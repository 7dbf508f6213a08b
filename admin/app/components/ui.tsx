import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { isRouteErrorResponse, Link, useNavigation, useRouteError, useRouteLoaderData } from "react-router";
import type { AdminRole } from "../../../core/db/client.ts";

/** The signed-in admin and the quota time zone, from the console layout's loader. */
export interface ConsoleUser {
  email: string;
  name: string;
  role: AdminRole;
  timeZone: string;
}

export function useConsoleUser(): ConsoleUser {
  const data = useRouteLoaderData("routes/console") as { user: ConsoleUser } | undefined;
  return data?.user ?? { email: "", name: "", role: "VIEWER", timeZone: "UTC" };
}

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="lead">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}

export function Notice({
  tone = "info",
  children,
}: {
  tone?: "info" | "success" | "error" | "warning";
  children: ReactNode;
}) {
  return (
    <p className={`notice ${tone}`} role={tone === "error" ? "alert" : "status"}>
      {children}
    </p>
  );
}

/** What an action said: "Tier saved." or the form-level error. */
export function ActionNotice({ result }: { result: unknown }) {
  const r = result as { ok?: boolean; notice?: string; formError?: string } | undefined;
  if (!r) return null;
  if (r.ok && r.notice) return <Notice tone="success">{r.notice}</Notice>;
  if (!r.ok && r.formError) return <Notice tone="error">{r.formError}</Notice>;
  if (!r.ok) return <Notice tone="error">Some fields need attention: see the messages below.</Notice>;
  return null;
}

/** Viewers see every page; forms that change things say why they are unavailable. */
export function ReadOnlyNote({ what }: { what: string }) {
  const user = useConsoleUser();
  if (user.role === "ADMIN") return null;
  return (
    <Notice tone="info">{`You are signed in as a viewer: you can look, but only admins can ${what}.`}</Notice>
  );
}

export function useCanEdit(): boolean {
  return useConsoleUser().role === "ADMIN";
}

interface FieldShell {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
}

function Shell({ label, name, error, hint, id, children }: FieldShell & { id: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} data-field={name}>
          {error}
        </p>
      )}
    </div>
  );
}

const described = (id: string, error?: string, hint?: ReactNode) =>
  ({
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${id}-error` : hint ? `${id}-hint` : undefined,
  }) as const;

export function Field({
  label,
  name,
  error,
  hint,
  id,
  ...input
}: FieldShell & InputHTMLAttributes<HTMLInputElement>) {
  const fid = id ?? name;
  return (
    <Shell label={label} name={name} error={error} hint={hint} id={fid}>
      <input id={fid} name={name} {...described(fid, error, hint)} {...input} />
    </Shell>
  );
}

export function TextArea({
  label,
  name,
  error,
  hint,
  id,
  ...input
}: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const fid = id ?? name;
  return (
    <Shell label={label} name={name} error={error} hint={hint} id={fid}>
      <textarea id={fid} name={name} {...described(fid, error, hint)} {...input} />
    </Shell>
  );
}

export function Select({
  label,
  name,
  error,
  hint,
  id,
  options,
  ...input
}: FieldShell &
  SelectHTMLAttributes<HTMLSelectElement> & { options: Array<{ value: string; label: string }> }) {
  const fid = id ?? name;
  return (
    <Shell label={label} name={name} error={error} hint={hint} id={fid}>
      <select id={fid} name={name} {...described(fid, error, hint)} {...input}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Shell>
  );
}

/**
 * A submit button that says what it is doing while its form is on its way. `pending` names the
 * submission (the form's intent, plus an id for per-row forms) so only the button pressed spins.
 */
export function SubmitButton({
  children,
  pendingText,
  intent,
  rowId,
  tone = "primary",
  disabled,
  ...rest
}: {
  children: ReactNode;
  pendingText: string;
  /** Sent as the form's `intent`; also tells which button of a form was pressed. */
  intent?: string;
  /** For per-row forms: the row's `id` field, so only that row's button shows progress. */
  rowId?: string;
  tone?: "primary" | "secondary" | "danger" | "quiet";
  disabled?: boolean;
  title?: string;
  form?: string;
}) {
  const navigation = useNavigation();
  const fd = navigation.state !== "idle" ? navigation.formData : undefined;
  const mine =
    Boolean(fd) &&
    (intent === undefined || fd?.get("intent") === intent) &&
    (rowId === undefined || fd?.get("id") === rowId);
  return (
    <button
      type="submit"
      className={`button ${tone}`}
      name={intent !== undefined ? "intent" : undefined}
      value={intent}
      disabled={disabled || mine}
      aria-busy={mine || undefined}
      {...rest}
    >
      {mine ? pendingText : children}
    </button>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <svg viewBox="0 0 24 24" width="32" height="32" aria-hidden="true">
        <path d="M4 5h16v14H4z M4 9h16" fill="none" stroke="currentColor" strokeWidth="1.5" />
      </svg>
      <p className="empty-title">{title}</p>
      {children && <div className="empty-text">{children}</div>}
    </div>
  );
}

export function Badge({
  tone = "neutral",
  children,
}: {
  tone?: "neutral" | "good" | "bad" | "warn" | "accent";
  children: ReactNode;
}) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

/** Keyset pagination: the next page after the last row shown, and the way back to the start. */
export function Pager({
  first,
  next,
  label,
}: {
  first?: string | null;
  next?: string | null;
  label?: string;
}) {
  if (!first && !next) return null;
  return (
    <nav className="pager" aria-label={label ?? "Pages"}>
      {first ? (
        <Link to={first} className="button secondary">
          ← First page
        </Link>
      ) : (
        <span />
      )}
      {next ? (
        <Link to={next} className="button secondary" prefetch="intent">
          Next page →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}

const KNOWN: Record<number, { title: string; text: string }> = {
  400: { title: "That request could not be read", text: "Check the address or the form and try again." },
  403: { title: "Not allowed", text: "Your account cannot do this. Ask an admin if you need it." },
  404: { title: "Not found", text: "There is nothing here: it may have been deleted." },
  413: { title: "Too large", text: "That upload is larger than the console accepts." },
  429: { title: "Too many requests", text: "Wait a little and try again." },
};

/** Every page's error boundary: the console's navigation stays, the page area says what happened. */
export function PageError() {
  const error = useRouteError();
  let title = "Something went wrong";
  let text = "This page could not be shown. The error has been logged; try again in a moment.";
  if (isRouteErrorResponse(error)) {
    const known = KNOWN[error.status];
    title = known?.title ?? `Error ${error.status}`;
    const message: unknown = (error.data as { message?: unknown } | undefined)?.message;
    text = typeof message === "string" ? message : (known?.text ?? text);
  }
  return (
    <section className="card error-card" role="alert">
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <Link to="." reloadDocument className="button secondary">
          Reload this page
        </Link>{" "}
        <Link to="/" className="button quiet">
          Overview
        </Link>
      </p>
    </section>
  );
}
