import { type AppLoadContext, data, redirect } from "react-router";
import type { Actor } from "../../core/admin/audit.ts";
import { hashPassword, verifyPassword } from "../../core/admin/password.ts";
import type { AppContext } from "../../core/app.ts";
import type { AdminRole } from "../../core/db/client.ts";
import { isSameOrigin } from "./origin.server.ts";
import { type AdminIdentity, clearSessionCookie, getSession, hasSessionCookie } from "./session.server.ts";

/** Guard for every console loader and action: the signed-in admin, or a redirect to sign in. */
export async function requireAdminUser(request: Request, context: AppLoadContext): Promise<AdminIdentity> {
  const identity = await getSession(request, context.app);
  if (identity) return identity;
  const url = new URL(request.url);
  const here = url.pathname + url.search;
  const to = here === "/" ? "/login" : `/login?${new URLSearchParams({ redirectTo: here })}`;
  // A cookie that no longer opens a session is dropped, so the browser stops sending it.
  throw redirect(
    to,
    hasSessionCookie(request, context.app)
      ? { headers: { "Set-Cookie": clearSessionCookie(context.app) } }
      : undefined,
  );
}

/** VIEWERs may look; changing anything needs ADMIN. */
export async function requireRole(
  request: Request,
  context: AppLoadContext,
  role: AdminRole,
): Promise<AdminIdentity> {
  const identity = await requireAdminUser(request, context);
  if (role === "ADMIN" && identity.role !== "ADMIN")
    throw data({ message: "Only admins can do this." }, { status: 403 });
  return identity;
}

/**
 * First line of every console action that changes something: the request came from this site,
 * and the person is signed in as an ADMIN. Returns who they are, worded for the audit log.
 */
export async function requireAdminAction(
  request: Request,
  context: AppLoadContext,
): Promise<{ identity: AdminIdentity; actor: Actor }> {
  assertSameOrigin(request);
  const identity = await requireRole(request, context, "ADMIN");
  return { identity, actor: { userId: identity.userId, email: identity.email, ip: context.clientAddress } };
}

/** First line of every action: admin/server.ts checks the same for all mutations, this keeps the
 * promise where the action is read (and wherever else the build is served). */
export function assertSameOrigin(request: Request): void {
  if (!isSameOrigin((name) => request.headers.get(name)))
    throw data({ message: "This form was sent from another site, so it was refused." }, { status: 403 });
}

/**
 * Only a path on this site, so `?redirectTo=` cannot send a signed-in admin elsewhere. Browsers
 * drop tabs and newlines from URLs and read `\` as `/`, so `/<TAB>/evil.example` is
 * `//evil.example` to them: such characters are refused outright, and what is left is resolved
 * the way a browser would and must stay on the console's origin.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(to)) return fallback;
  let url: URL;
  try {
    url = new URL(to, REDIRECT_BASE);
  } catch {
    return fallback;
  }
  const path = url.pathname + url.search + url.hash;
  // "/.//evil.example" resolves to the path "//evil.example", which a browser reads as a host.
  if (url.origin !== REDIRECT_BASE || path.startsWith("//")) return fallback;
  return path;
}

/** A stand-in origin: only whether the target stays on it matters, not its name. */
const REDIRECT_BASE = "http://console.invalid";

let dummyHash: Promise<string> | undefined;

/** The user behind these credentials, or null. Unknown emails cost the same argon2 work as wrong
 * passwords, so response times do not reveal which addresses have accounts. */
export async function verifyCredentials(app: AppContext, email: string, password: string) {
  const user = await app.db.prisma.adminUser.findFirst({
    where: { email: { equals: email, mode: "insensitive" } },
    select: { id: true, email: true, passwordHash: true, disabledAt: true },
  });
  dummyHash ??= hashPassword("no account has this password");
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash), password);
  return ok && user && !user.disabledAt ? { id: user.id, email: user.email } : null;
}
