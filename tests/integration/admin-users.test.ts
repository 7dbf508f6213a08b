import { afterEach, describe, expect, it } from "vitest";
import { verifyPassword } from "../../core/admin/password.ts";
import {
  addAdminUser,
  disableAdminUser,
  resetAdminPassword,
  setAdminPassword,
} from "../../core/admin/users.ts";
import { type OpenedTestDatabase, openTestDatabase } from "../helpers/services.ts";

let opened: OpenedTestDatabase | undefined;
afterEach(async () => {
  await opened?.cleanup();
  opened = undefined;
});

describe("console accounts from the command line", () => {
  it("audits creating and disabling an account through the one audit writer", async () => {
    opened = await openTestDatabase("postgres");
    const { db } = opened;
    await db.migrate();
    const { email } = await addAdminUser(db, { email: "viewer@example.com", role: "VIEWER" });
    await disableAdminUser(db, email);

    const user = await db.prisma.adminUser.findUniqueOrThrow({ where: { email } });
    expect(user.disabledAt).not.toBeNull();
    const rows = await db.prisma.auditLog.findMany({ orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => [r.action, r.actorEmail, r.actorId, r.entityId])).toEqual([
      ["admin-user.create", "cli", user.id, user.id],
      ["admin-user.disable", "cli", null, user.id],
    ]);
    expect(rows[1]?.after).toEqual({ disabled: true });
  });

  it("resets a password from the command line: new hash, every session ended, audited without the hash", async () => {
    opened = await openTestDatabase("postgres");
    const { db } = opened;
    await db.migrate();
    const { email } = await addAdminUser(db, {
      email: "ops@example.com",
      role: "ADMIN",
      password: "old password 123",
    });
    const user = await db.prisma.adminUser.findUniqueOrThrow({ where: { email } });
    const expiresAt = new Date(Date.now() + 3600_000);
    for (const id of ["a".repeat(64), "b".repeat(64)])
      await db.prisma.adminSession.create({ data: { id, userId: user.id, expiresAt } });

    const reset = await resetAdminPassword(db, "OPS@example.com");
    expect(reset.generatedPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const after = await db.prisma.adminUser.findUniqueOrThrow({ where: { email } });
    expect(await verifyPassword(after.passwordHash, reset.generatedPassword!)).toBe(true);
    expect(await verifyPassword(after.passwordHash, "old password 123")).toBe(false);
    const sessions = await db.prisma.adminSession.findMany({ where: { userId: user.id } });
    expect(sessions.map((s) => s.revokedAt !== null)).toEqual([true, true]);
    const row = await db.prisma.auditLog.findFirstOrThrow({ where: { action: "admin-user.password-reset" } });
    expect([row.actorEmail, row.entityId, row.after]).toEqual(["cli", user.id, { sessionsEnded: 2 }]);
    expect(JSON.stringify(row)).not.toContain(after.passwordHash);

    await expect(resetAdminPassword(db, "nobody@example.com")).rejects.toThrow(
      "No account for nobody@example.com.",
    );
    await expect(resetAdminPassword(db, email, "short")).rejects.toThrow("at least 12 characters");
  });

  it("changing your own password keeps this session and ends the others", async () => {
    opened = await openTestDatabase("postgres");
    const { db } = opened;
    await db.migrate();
    const { email } = await addAdminUser(db, {
      email: "me@example.com",
      role: "VIEWER",
      password: "old password 123",
    });
    const me = await db.prisma.adminUser.findUniqueOrThrow({ where: { email } });
    const expiresAt = new Date(Date.now() + 3600_000);
    for (const id of ["c".repeat(64), "d".repeat(64)])
      await db.prisma.adminSession.create({ data: { id, userId: me.id, expiresAt } });

    await setAdminPassword(
      db,
      { userId: me.id, email, ip: "127.0.0.1" },
      { userId: me.id, password: "new password 456", keepSessionId: "c".repeat(64) },
    );
    const sessions = await db.prisma.adminSession.findMany({
      where: { userId: me.id },
      orderBy: { id: "asc" },
    });
    expect(sessions.map((s) => [s.id[0], s.revokedAt !== null])).toEqual([
      ["c", false],
      ["d", true],
    ]);
    const row = await db.prisma.auditLog.findFirstOrThrow({
      where: { action: "admin-user.password-change" },
    });
    expect(row.after).toEqual({ sessionsEnded: 1 });
  });
});
