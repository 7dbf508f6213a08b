export type { ShortMemory } from "../memory.ts";

/** The key under which a draft's thread is remembered (its parent message). */
export function draftThreadKey(channel: string, ts: string): string {
  return `thread:${channel}:${ts}`;
}
