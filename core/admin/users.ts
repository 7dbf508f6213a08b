import { randomBytes } from "node:crypto";
import type { AdminRole, Database } from "../db/client.ts";
import { audited, recordAudit } from "./audit.ts";
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
