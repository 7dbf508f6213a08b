/**
 * The fake OpenAI in a process of its own, as the real API is on another machine: every SSE event
 * of every reply it writes is then its garbage, not the measured process's (in one process a
 * zero-latency reply's events outlived young-generation collections and grew the measured V8
 * heap by a few hundred MiB in `load -- pipeline`), and its event loop is not the product's.
 *
 * Only plain behaviour crosses the process line: no reply function, no failure plans.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { startFakeOpenAI } from "../../tests/fakes/openai.ts";

const optionsSchema = z.object({
  firstTokenLatencyMs: z.number().optional(),
  tokensPerSecond: z.number().optional(),
  omitUsage: z.boolean().optional(),
  reply: z.string().optional(),
  apiKey: z.string().optional(),
});
export type FakeOpenAIProcessOptions = z.infer<typeof optionsSchema>;

export interface FakeOpenAIProcess {
  url: string;
  apiKey: string;
  /** The fake's own resident memory, to report beside the measured process's. */
  rssBytes(): Promise<number>;
  close(): Promise<void>;
}

const ENV = "AB_FAKE_OPENAI_PROCESS";
const ready = z.object({ kind: z.literal("ready"), url: z.string(), apiKey: z.string() });
const rss = z.object({ kind: z.literal("rss"), bytes: z.number() });
const command = z.object({ kind: z.enum(["rss", "close"]) });

const childOptions = process.env[ENV];
if (childOptions !== undefined) {
  const fake = await startFakeOpenAI(optionsSchema.parse(JSON.parse(childOptions)));
  process.send?.({ kind: "ready", url: fake.url, apiKey: fake.apiKey } satisfies z.infer<typeof ready>);
  process.on("message", async (raw) => {
    if (command.parse(raw).kind === "rss")
      process.send?.({ kind: "rss", bytes: process.memoryUsage().rss } satisfies z.infer<typeof rss>);
    else {
      await fake.close();
      process.exit(0);
    }
  });
  // The parent went away without closing it: do not outlive it.
  process.on("disconnect", () => process.exit(0));
}

/** The next message from `child` that `schema` accepts; rejects if the child exits first. */
function answer<T>(child: ChildProcess, schema: z.ZodType<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return;
      child.off("exit", onExit);
      child.off("message", onMessage);
      resolve(parsed.data);
    };
    const onExit = (code: number | null) => reject(new Error(`the fake OpenAI process exited (${code})`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

export async function startFakeOpenAIProcess(
  options: FakeOpenAIProcessOptions = {},
): Promise<FakeOpenAIProcess> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, [ENV]: JSON.stringify(options) },
  });
  const { url, apiKey } = await answer(child, ready);
  return {
    url,
    apiKey,
    async rssBytes() {
      const reply = answer(child, rss);
      child.send({ kind: "rss" });
      return (await reply).bytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send({ kind: "close" });
      }),
  };
}
