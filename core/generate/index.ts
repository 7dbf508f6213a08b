import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { OfflineComposer } from "./offline.ts";
import { OpenAIGenerator, type OpenAIGeneratorOptions } from "./openai.ts";
import type { Generator } from "./types.ts";

export { CircuitBreaker, type CircuitOptions, type CircuitState } from "./circuit.ts";
export { OFFLINE_MODEL, OfflineComposer } from "./offline.ts";
export { maxOutputTokens, OpenAIGenerator, type OpenAIGeneratorOptions } from "./openai.ts";
export {
  buildPrompt,
  CONTINUE_INSTRUCTION,
  continuePrompt,
  DEFAULT_MAX_PROMPT_TOKENS,
  deliveredSoFar,
  type PromptOptions,
} from "./prompt.ts";
export * from "./types.ts";

/** Tuning that is not part of the environment contract (tests shorten timeouts with it). */
export type GeneratorTuning = Omit<OpenAIGeneratorOptions, "apiKey" | "baseUrl" | "model" | "logger">;

/** The generator port, chosen once from configuration: OpenAI when a key is set, else offline. */
export function createGenerator(
  config: Pick<Config, "openai">,
  logger: Logger,
  tuning: GeneratorTuning = {},
): Generator {
  const { apiKey, baseUrl, model } = config.openai;
  if (!apiKey) return new OfflineComposer();
  return new OpenAIGenerator({ ...tuning, apiKey, baseUrl, model, logger });
}
