import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../core/logger.ts";
import type { ShortMemory } from "../shared/memory.ts";

const NAME_TTL_SECONDS = 7 * 86_400;
/** A failed look-up is not retried for a while, so an outage costs one call per person, not one per message. */
const MISS_TTL_SECONDS = 10 * 60;

/**
 * Display names for requester rows (the console lists people by name): users.info once per
 * person, then from the short memory. Always called after the acknowledgement, and a failure
 * only means the row gets no name.
 */
export class DisplayNames {
  constructor(private readonly deps: { client: WebClient; memory: ShortMemory; logger: Logger }) {}

  async of(teamId: string, userId: string): Promise<string | undefined> {
    const key = `name:${teamId}:${userId}`;
    const known = await this.deps.memory.get(key).catch(() => null);
    if (known !== null) return known || undefined;
    let name = "";
    try {
      const res = await this.deps.client.users.info({ user: userId });
      const u = res.user;
      name = (u?.profile?.display_name || u?.profile?.real_name || u?.real_name || u?.name || "").slice(
        0,
        120,
      );
    } catch (error) {
      this.deps.logger.info(
        { err: (error as Error).message, userId },
        "could not look up a slack display name",
      );
    }
    await this.deps.memory.set(key, name, name ? NAME_TTL_SECONDS : MISS_TTL_SECONDS).catch(() => undefined);
    return name || undefined;
  }
}
