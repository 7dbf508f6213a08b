import type { ListenerDeps } from "./listeners/deps.ts";

/** An industry or length chosen with a button, waiting for the topic that follows. */
export interface Picks {
  industry?: string;
  words?: number;
}

const PICK_TTL_SECONDS = 30 * 60;
const key = (channel: string, userId: string) => `pick:${channel}:${userId}`;

export async function recallPicks(ctx: ListenerDeps, channel: string, userId: string): Promise<Picks | null> {
  try {
    const raw = await ctx.memory.get(key(channel, userId));
    return raw ? (JSON.parse(raw) as Picks) : null;
  } catch (err) {
    ctx.logger.warn({ err }, "could not read a LINE user's picks; ignoring them");
    return null;
  }
}

export async function rememberPick(
  ctx: ListenerDeps,
  channel: string,
  userId: string,
  pick: Picks,
): Promise<Picks> {
  const merged = { ...(await recallPicks(ctx, channel, userId)), ...pick };
  await ctx.memory.set(key(channel, userId), JSON.stringify(merged), PICK_TTL_SECONDS);
  return merged;
}

export async function forgetPicks(ctx: ListenerDeps, channel: string, userId: string): Promise<void> {
  await ctx.memory.delete(key(channel, userId)).catch(() => undefined);
}
