import { redirect } from "react-router";
import { recordAudit } from "../../../core/admin/audit.ts";
import { assertSameOrigin } from "../auth.server.ts";
import { clearSessionCookie, revokeSession } from "../session.server.ts";
import type { Route } from "./+types/logout";

// Signing out changes state, so it is a POST (a link or an <img> elsewhere cannot sign anyone out).
export function loader() {
  throw redirect("/");
}

export async function action({ request, context }: Route.ActionArgs) {
  assertSameOrigin(request);
  const { app, clientAddress: ip } = context;
  const ended = await revokeSession(request, app);
  if (ended) {
    const user = await app.db.prisma.adminUser.findUnique({
      where: { id: ended.userId },
      select: { email: true },
    });
    await recordAudit(
      app.db,
      { userId: ended.userId, email: user?.email ?? "", ip },
      { action: "session.revoke", entityType: "AdminSession", entityId: ended.id },
    );
  }
  throw redirect("/login", { headers: { "Set-Cookie": clearSessionCookie(app) } });
}
