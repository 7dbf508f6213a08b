import { createHash, createHmac, randomBytes } from "node:crypto";
import type { AppContext } from "../../core/app.ts";
import type { AdminRole } from "../../core/db/client.ts";

/**
 * Console sessions are rows (see README, "Sessions are rows"): the cookie carries a random
 * 32-byte token, the database only its SHA-256, so a leaked table cannot be replayed as cookies
 * and signing out really ends a session.
 */
export const SESSION_COOKIE = "ab_session";
/**
 * Over HTTPS (production) the name carries the `__Host-` prefix: browsers then accept the cookie
 * only with Secure, Path=/ and no Domain, so neither a sibling subdomain nor a plain-HTTP page
 * can plant or overwrite a session cookie for the console.
 */
export const cookieName = (app: AppContext) =>
  app.config.nodeEnv === "production" ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
const IDLE_MS = 12 * 3600_000; // sliding: a session left alone for 12 h ends
const ABSOLUTE_MS = 7 * 24 * 3600_000; // however active, sign in again after a week
const TOUCH_EVERY_MS = 5 * 60_000; // sliding in 5-minute steps spares a write per request
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url

export interface AdminIdentity {
  sessionId: string;
  userId: string;
  email: string;
  name: string;
  role: AdminRole;
}

/**
 * The row id of a token: HMAC-SHA256 keyed with SESSION_SECRET when it is set (production
 * requires it), so someone who can write the sessions table still cannot mint a working cookie
 * without the secret; plain SHA-256 in development. Changing the secret signs everyone out.
 */
export const hashToken = (app: AppContext, token: string) => {
  const secret = app.config.admin.sessionSecret;
  return (secret ? createHmac("sha256", secret) : createHash("sha256")).update(token).digest("hex");
};

/** Creates the row and returns the Set-Cookie value that carries its token. */
export async function createSession(
  app: AppContext,
  userId: string,
  client: { ip: string; userAgent: string },
): Promise<{ sessionId: string; setCookie: string }> {
  const token = randomBytes(32).toString("base64url");
  const now = Date.now();
  const row = await app.db.prisma.adminSession.create({
    data: {
      id: hashToken(app, token),
      userId,
      ip: client.ip,
      userAgent: client.userAgent.slice(0, 512),
      lastSeenAt: new Date(now),
      expiresAt: new Date(now + IDLE_MS),
    },
  });
  return { sessionId: row.id, setCookie: sessionCookie(app, token) };
}

/** The live session behind the request's cookie, or null (missing, revoked, expired, user disabled). */
export async function getSession(request: Request, app: AppContext): Promise<AdminIdentity | null> {
  const token = readToken(request, app);
  if (!token) return null;
  const row = await app.db.prisma.adminSession.findUnique({
    where: { id: hashToken(app, token) },
    include: { user: { select: { email: true, name: true, role: true, disabledAt: true } } },
  });
  const now = Date.now();
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now || row.user.disabledAt) return null;
  if (now - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    const expiresAt = Math.min(now + IDLE_MS, row.createdAt.getTime() + ABSOLUTE_MS);
    await app.db.prisma.adminSession.update({
      where: { id: row.id },
      data: { lastSeenAt: new Date(now), expiresAt: new Date(expiresAt) },
    });
  }
  return {
    sessionId: row.id,
    userId: row.userId,
    email: row.user.email,
    name: row.user.name,
    role: row.user.role,
  };
}

/** Marks the request's session revoked; returns its row id and user when there was a live one. */
export async function revokeSession(
  request: Request,
  app: AppContext,
): Promise<{ id: string; userId: string } | null> {
  const token = readToken(request, app);
  if (!token) return null;
  const id = hashToken(app, token);
  const row = await app.db.prisma.adminSession.findUnique({
    where: { id },
    select: { userId: true, revokedAt: true },
  });
  if (!row || row.revokedAt) return null;
  await app.db.prisma.adminSession.update({ where: { id }, data: { revokedAt: new Date() } });
  return { id, userId: row.userId };
}

export function hasSessionCookie(request: Request, app: AppContext): boolean {
  return readToken(request, app) !== null;
}

export function clearSessionCookie(app: AppContext): string {
  return `${cookieName(app)}=; Max-Age=0; ${attributes(app)}`;
}

// No Max-Age: the browser may forget the cookie when it closes; the row decides expiry.
function sessionCookie(app: AppContext, token: string): string {
  return `${cookieName(app)}=${token}; ${attributes(app)}`;
}

function attributes(app: AppContext): string {
  return `Path=/; HttpOnly; SameSite=Lax${app.config.nodeEnv === "production" ? "; Secure" : ""}`;
}

function readToken(request: Request, app: AppContext): string | null {
  const expected = cookieName(app);
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === expected) {
      const token = value.join("=");
      return TOKEN_SHAPE.test(token) ? token : null;
    }
  }
  return null;
}
