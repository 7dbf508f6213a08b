import { type Plan, planOf } from "../../core/records/people.ts";
import type { LineChat } from "./destination.ts";
import type { ListenerDeps } from "./listeners/deps.ts";

export type { Plan } from "../../core/records/people.ts";

/**
 * The requester's plan, for wording that depends on it (length buttons within the tier, the
 * workspace's upgrade line under a refusal). Read when such words are due, never on the way to
 * a draft; a database hiccup words things for the default plan rather than failing the answer.
 */
export async function planFor(ctx: ListenerDeps, channel: string, chat: LineChat): Promise<Plan | null> {
  try {
    return await planOf(ctx.app.db, {
      platform: "LINE",
      tenantExternalId: channel,
      requesterExternalId: chat.requester,
    });
  } catch (err) {
    ctx.logger.warn({ err }, "LINE requester's plan unavailable; offering every length");
    return null;
  }
}
