import { z } from "zod";
import type { AppContext } from "../../../core/app.ts";
import { createInbox as createCoreInbox, type InboxOptions } from "../../../core/inbox/inbox.ts";
import { SlackDestinationSchema } from "../destination.ts";
import type { Intake } from "../intake.ts";

/**
 * Slack's inbox: the core inbox (a Redis stream, or a database table on the embedded profile,
 * the same mechanism as LINE's) holding each acknowledged request as the listener read it.
 * Slack never sends an event again once it got its 200, and a click or a form is never sent
 * again at all, so a request is put here before it is acknowledged: if this process dies a
 * moment later, another one (or this one restarted) takes the entry over and accepts it.
 */
export interface SlackInbox {
  /** False when full. */
  put(intake: Intake): Promise<boolean>;
  full(): boolean;
  /** Handles requests as they come, a few at a time. */
  start(handle: (intake: Intake) => Promise<void>): void;
  close(): Promise<void>;
}

/**
 * A request that could not be kept (the inbox is full, or its store is down): the receiver
 * answers Slack 503 instead of acknowledging, so an event is delivered again later.
 */
export class IntakeRefused extends Error {
  constructor(reason: string) {
    super(`Slack request not kept: ${reason}`);
    this.name = "IntakeRefused";
  }
}

export function isIntakeRefused(error: unknown): boolean {
  const original = error && typeof error === "object" && "original" in error ? error.original : error;
  return original instanceof IntakeRefused || error instanceof IntakeRefused;
}

const IntakeSchema = z.object({
  eventId: z.string().min(1),
  teamId: z.string().min(1),
  teamName: z.string().optional(),
  userId: z.string().min(1),
  input: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("text"), text: z.string() }),
    z.object({ kind: z.literal("form"), form: z.record(z.string(), z.unknown()) }),
    z.object({
      kind: z.literal("action"),
      action: z.enum(["shorter", "another_angle", "stop"]),
      generationId: z.string().optional(),
    }),
  ]),
  conversation: z.object({ channel: z.string().min(1), threadTs: z.string().min(1) }),
  destination: SlackDestinationSchema,
  replyTo: z.object({
    channel: z.string().nullable(),
    threadTs: z.string().optional(),
    user: z.string().min(1),
  }),
  language: z.enum(["en", "th"]).optional(),
  agentThread: z.boolean().optional(),
});

/**
 * A field added to Intake and not to IntakeSchema would be dropped on its way through the inbox
 * (zod strips unknown keys): this type fails to compile until both name the same fields.
 */
export type IntakeFieldsKept = Assert<SameKeys<z.infer<typeof IntakeSchema>, Intake>>;
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
type Assert<T extends true> = T;

/** An inbox entry back as the request it was; null when it is not one (it is logged and dropped). */
export function readIntake(payload: string): Intake | null {
  try {
    const parsed = IntakeSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function createSlackInbox(app: AppContext, opts: InboxOptions): SlackInbox {
  const inbox = createCoreInbox(app, "slack", opts);
  return {
    put: (intake) => inbox.put({ payload: JSON.stringify(intake), receivedAt: Date.now() }),
    full: () => inbox.full(),
    start(handle) {
      inbox.start(async (entry) => {
        const intake = readIntake(entry.payload);
        if (intake) await handle(intake);
        else app.logger.error({ part: "slack" }, "Slack inbox entry is not a request; dropped");
      });
    },
    close: () => inbox.close(),
  };
}
