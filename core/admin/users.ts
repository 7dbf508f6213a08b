import { randomBytes } from "node:crypto";
import type { AdminRole, Database } from "../db/client.ts";
import { type Actor, audited, recordAudit } from "./audit.ts";
import { hashPassword } from "./password.ts";

/**
 * Console accounts, managed from the command line (core/admin/cli.ts): the first admin comes
 * from the seed; further admins and read-only viewers are added here. Passwords are argon2id.
 */

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const CLI_ACTOR = { userId: "", email: "cli", ip: "" };

export interface AddedUser {
  email: string;
  role: AdminRole;
  /** Set when no password was given: shown once to whoever ran the command. */
  generatedPassword?: string;
}

export async function addAdminUser(
  db: Database,
  input: { email: string; role: AdminRole; name?: string; password?: string },
): Promise<AddedUser> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw new Error(`"${input.email}" is not an email address.`);
  if (input.password !== undefined && input.password.length < 12)
    throw new Error("Use a password of at least 12 characters.");
  if (await db.prisma.adminUser.findFirst({ where: { email: { equals: email, mode: "insensitive" } } }))
    throw new Error(`${email} already has an account.`);
  const generatedPassword = input.password === undefined ? randomBytes(12).toString("base64url") : undefined;
  const user = await db.prisma.adminUser.create({
    data: {
      email,
      name: input.name ?? "",
      role: input.role,
      passwordHash: await hashPassword(input.password ?? generatedPassword!),
    },
  });
  await recordAudit(
    db,
    { ...CLI_ACTOR, userId: user.id },
    {
      action: "admin-user.create",
      entityType: "AdminUser",
      entityId: user.id,
      after: { email, role: input.role },
    },
  );
  return { email, role: input.role, generatedPassword };
}

/** Disables the account and ends its sessions at once. */
export async function disableAdminUser(db: Database, email: string): Promise<void> {
  const user = await db.prisma.adminUser.findFirst({
    where: { email: { equals: email.trim(), mode: "insensitive" } },
  });
  if (!user) throw new Error(`No account for ${email}.`);
  await audited(db, CLI_ACTOR, async (tx) => {
    await tx.adminUser.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    await tx.adminSession.updateMany({
      where: { userId: user.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return {
      audit: {
        action: "admin-user.disable",
        entityType: "AdminUser",
        entityId: user.id,
        before: { disabledAt: null },
        after: { disabled: true },
      },
      value: undefined,
    };
  });
}

/**
 * Sets a new password and ends the account's sessions, all but `keepSessionId` (the session
 * of someone changing their own password stays signed in; every other browser is signed out).
 * Without a password one is generated and returned, to be shown once to whoever asked.
 */
export async function setAdminPassword(
  db: Database,
  actor: Actor,
  input: { userId: string; password?: string; keepSessionId?: string },
): Promise<{ generatedPassword?: string }> {
  if (input.password !== undefined && input.password.length < 12)
    throw new Error("Use a password of at least 12 characters.");
  const generatedPassword = input.password === undefined ? randomBytes(12).toString("base64url") : undefined;
  const passwordHash = await hashPassword(input.password ?? generatedPassword!);
  const self = actor.userId === input.userId;
  await audited(db, actor, async (tx) => {
    await tx.adminUser.update({ where: { id: input.userId }, data: { passwordHash } });
    const ended = await tx.adminSession.updateMany({
      where: {
        userId: input.userId,
        revokedAt: null,
        ...(input.keepSessionId ? { id: { not: input.keepSessionId } } : {}),
      },
      data: { revokedAt: new Date() },
    });
    return {
      // The hash never reaches the audit log; only that it changed, by whom, and what ended.
      audit: {
        action: self ? "admin-user.password-change" : "admin-user.password-reset",
        entityType: "AdminUser",
        entityId: input.userId,
        after: { sessionsEnded: ended.count },
      },
      value: undefined,
    };
  });
  return { generatedPassword };
}

/** The command line's reset: by email, for someone who cannot sign in. */
export async function resetAdminPassword(
  db: Database,
  email: string,
  password?: string,
): Promise<{ email: string; generatedPassword?: string }> {
  const user = await db.prisma.adminUser.findFirst({
    where: { email: { equals: email.trim(), mode: "insensitive" } },
  });
  if (!user) throw new Error(`No account for ${email}.`);
  const result = await setAdminPassword(db, CLI_ACTOR, { userId: user.id, password });
  return { email: user.email, ...result };
}
