import { data, Form, redirect, useNavigation } from "react-router";
import { audited } from "../../../core/admin/audit.ts";
import { assertSameOrigin, safeRedirect, verifyCredentials } from "../auth.server.ts";
import { createSession, getSession, revokeSession } from "../session.server.ts";
import type { Route } from "./+types/login";

export const meta: Route.MetaFunction = () => [{ title: "Sign in · Article Bot console" }];
// The page is rendered after the action, so its Retry-After reaches the browser only this way.
export const headers: Route.HeadersFunction = ({ actionHeaders }) => actionHeaders;

export async function loader({ request, context }: Route.LoaderArgs) {
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (await getSession(request, context.app)) throw redirect(redirectTo);
  return { redirectTo };
}

type FieldErrors = { email?: string; password?: string };
const WRONG = "The email or password is wrong.";

export async function action({ request, context }: Route.ActionArgs) {
  assertSameOrigin(request);
  const { app, clientAddress: ip, loginThrottle } = context;
  const form = await request.formData();
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const redirectTo = safeRedirect(form.get("redirectTo"));

  const fieldErrors: FieldErrors = {};
  if (!email) fieldErrors.email = "Enter your email address.";
  else if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email))
    fieldErrors.email = "Enter an email address like name@example.com.";
  if (!password) fieldErrors.password = "Enter your password.";
  if (fieldErrors.email || fieldErrors.password)
    return data({ fieldErrors, formError: null, email }, { status: 400 });

  const refused = (waitMs: number) =>
    data(
      { fieldErrors, formError: `Too many failed sign-ins. Try again ${inAbout(waitMs)}.`, email },
      { status: 429, headers: { "Retry-After": String(Math.ceil(waitMs / 1000)) } },
    );
  const wait = await loginThrottle.waitMs(ip, email);
  if (wait > 0) return refused(wait);

  // Over-long passwords are refused before argon2 sees them: hashing megabytes is a cheap DoS.
  const user = password.length <= 1024 ? await verifyCredentials(app, email, password) : null;
  if (!user) {
    app.logger.warn({ email, ip }, "console sign-in failed");
    const nowBlocked = await loginThrottle.failed(ip, email);
    return nowBlocked > 0
      ? refused(nowBlocked)
      : data({ fieldErrors, formError: WRONG, email }, { status: 401 });
  }

  await loginThrottle.succeeded(ip, email);
  // Rotation: whatever session this browser carried (another account's, or one planted on it)
  // ends here, so signing in never continues an existing token.
  await revokeSession(request, app);
  const session = await createSession(app, user.id, {
    ip,
    userAgent: request.headers.get("user-agent") ?? "",
  });
  await audited(app.db, { userId: user.id, email: user.email, ip }, async (tx) => {
    await tx.adminUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
    return {
      audit: { action: "session.create", entityType: "AdminSession", entityId: session.sessionId },
      value: undefined,
    };
  });
  app.logger.info({ email: user.email, ip }, "console sign-in");
  throw redirect(redirectTo, { headers: { "Set-Cookie": session.setCookie } });
}

/** "in 1 minute", "in 25 minutes", "in about 2 hours". */
function inAbout(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `in about ${Math.round(minutes / 60)} hours`;
}

export default function Login({ loaderData, actionData }: Route.ComponentProps) {
  const busy = useNavigation().state === "submitting";
  const errors: FieldErrors = actionData?.fieldErrors ?? {};
  return (
    <main className="page narrow">
      <section className="card">
        <p className="brand">Article Bot console</p>
        <h1>Sign in</h1>
        {actionData?.formError && (
          <p className="alert" role="alert">
            {actionData.formError}
          </p>
        )}
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="redirectTo" value={loaderData.redirectTo} />
          <Field
            name="email"
            label="Email"
            type="email"
            autoComplete="username"
            error={errors.email}
            defaultValue={actionData?.email}
          />
          <Field
            name="password"
            label="Password"
            type="password"
            autoComplete="current-password"
            error={errors.password}
          />
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </Form>
      </section>
    </main>
  );
}

function Field(props: {
  name: string;
  label: string;
  type: string;
  autoComplete: string;
  error?: string;
  defaultValue?: string;
}) {
  const { name, label, error, ...input } = props;
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input
        id={name}
        name={name}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${name}-error` : undefined}
        {...input}
      />
      {error && (
        <p id={`${name}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
