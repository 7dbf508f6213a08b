import { Form } from "react-router";
import { z } from "zod";
import { verifyPassword } from "../../../core/admin/password.ts";
import { setAdminPassword } from "../../../core/admin/users.ts";
import { assertSameOrigin, requireAdminAction, requireAdminUser } from "../auth.server.ts";
import {
  ActionNotice,
  Field,
  PageError,
  PageHeader,
  SubmitButton,
  useConsoleUser,
} from "../components/ui.tsx";
import { dateTime } from "../lib/format.ts";
import { done, field, invalid, parseForm } from "../lib/forms.server.ts";
import type { Route } from "./+types/account";

export const meta: Route.MetaFunction = () => [{ title: "Accounts · Article Bot console" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const me = await requireAdminUser(request, context);
  // Only admins see the other accounts (to reset a password); a viewer sees their own form.
  const others =
    me.role === "ADMIN"
      ? await context.app.db.prisma.adminUser.findMany({
          where: { id: { not: me.userId } },
          select: { id: true, email: true, role: true, disabledAt: true, lastLoginAt: true },
          orderBy: { email: "asc" },
          take: 200,
        })
      : [];
  return {
    others: others.map((u) => ({
      id: u.id,
      email: u.email,
      role: u.role,
      disabled: u.disabledAt !== null,
      lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    })),
  };
}

const ChangeSchema = z
  .object({
    current: z.string({ error: "Enter your current password." }).min(1, "Enter your current password."),
    password: z
      .string({ error: "Enter a new password." })
      .min(12, "Use a password of at least 12 characters.")
      .max(200, "Keep the password under 201 characters."),
    confirm: z.string({ error: "Enter the new password again." }),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two new passwords differ." });

const ResetSchema = z.object({ id: field.id("an account") });

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const intent = String(form.get("intent") ?? "");
  if (intent === "reset") {
    const { identity, actor } = await requireAdminAction(request, context);
    const parsed = parseForm(ResetSchema, form);
    if (!parsed.ok || parsed.data.id === identity.userId)
      return invalid({ intent, fieldErrors: {}, formError: "Choose another account to reset." });
    const user = await context.app.db.prisma.adminUser.findUnique({ where: { id: parsed.data.id } });
    if (!user) return invalid({ intent, fieldErrors: {}, formError: "That account no longer exists." });
    const { generatedPassword } = await setAdminPassword(context.app.db, actor, { userId: user.id });
    return {
      ...done(`${user.email} was signed out everywhere. Give them this password once:`, intent),
      generatedPassword,
      resetEmail: user.email,
    };
  }
  // Changing your own password needs no admin role, only your current password.
  assertSameOrigin(request);
  const me = await requireAdminUser(request, context);
  const parsed = parseForm(ChangeSchema, form);
  if (!parsed.ok) return invalid({ ...parsed, intent: "change", values: {} });
  const user = await context.app.db.prisma.adminUser.findUniqueOrThrow({ where: { id: me.userId } });
  if (!(await verifyPassword(user.passwordHash, parsed.data.current)))
    return invalid({ intent: "change", fieldErrors: { current: "That is not your current password." } });
  await setAdminPassword(
    context.app.db,
    { userId: me.userId, email: me.email, ip: context.clientAddress },
    { userId: me.userId, password: parsed.data.password, keepSessionId: me.sessionId },
  );
  return done("Password changed. You stay signed in here; every other session was signed out.", "change");
}

export default function Account({ loaderData, actionData }: Route.ComponentProps) {
  const me = useConsoleUser();
  const errors =
    actionData && "fieldErrors" in actionData && actionData.intent === "change" ? actionData.fieldErrors : {};
  const reset = actionData && "generatedPassword" in actionData ? actionData : null;
  return (
    <>
      <PageHeader title="Accounts" description={`Signed in as ${me.email}.`} />
      <ActionNotice result={actionData} />
      {reset?.generatedPassword && (
        <p className="card">
          New password for {reset.resetEmail}:{" "}
          <code data-testid="generated-password">{reset.generatedPassword}</code> — it is shown only now; ask
          them to change it after signing in.
        </p>
      )}
      <Form method="post" className="card form" aria-labelledby="change-title">
        <h2 id="change-title">Change your password</h2>
        <Field
          label="Current password"
          name="current"
          type="password"
          autoComplete="current-password"
          error={errors.current}
          required
        />
        <Field
          label="New password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          error={errors.password}
          hint="At least 12 characters. Your other sessions are signed out."
          required
        />
        <Field
          label="New password again"
          name="confirm"
          type="password"
          autoComplete="new-password"
          error={errors.confirm}
          required
        />
        <SubmitButton intent="change" pendingText="Changing…">
          Change password
        </SubmitButton>
      </Form>
      {me.role === "ADMIN" && (
        <section className="card flush" aria-labelledby="others-title">
          <h2 id="others-title">Other accounts</h2>
          {loaderData.others.length === 0 ? (
            <p className="hint">No other accounts. Add one with the command line (see README, Console).</p>
          ) : (
            <table className="rtable">
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">Password</th>
                </tr>
              </thead>
              <tbody>
                {loaderData.others.map((u) => (
                  <tr key={u.id}>
                    <td data-label="Account">
                      <span className="strong">{u.email}</span>
                      <div className="sub">
                        {u.role === "ADMIN" ? "Admin" : "Viewer"}
                        {u.disabled ? " · disabled" : ""}
                      </div>
                    </td>
                    <td data-label="Last sign-in">
                      {u.lastLoginAt ? dateTime(u.lastLoginAt, me.timeZone) : "never"}
                    </td>
                    <td data-label="Password">
                      <Form method="post" className="row-form">
                        <input type="hidden" name="id" value={u.id} />
                        <SubmitButton intent="reset" rowId={u.id} tone="secondary" pendingText="Resetting…">
                          {`Reset password of ${u.email}`}
                        </SubmitButton>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </>
  );
}

export const ErrorBoundary = PageError;
