import { afterEach, describe, expect, it } from "vitest";
import { addAdminUser, disableAdminUser } from "../../core/admin/users.ts";
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
});
