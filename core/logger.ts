import { type Logger, pino } from "pino";

export type { Logger };

/** The one way to log: JSON lines, secrets redacted wherever they appear in a log object. */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { ...bindings },
    redact: {
      paths: [
        "password",
        "*.password",
        "passwordHash",
        "*.passwordHash",
        "token",
        "*.token",
        "authorization",
        "*.authorization",
        "headers.authorization",
        "headers.cookie",
        "cookie",
        "*.cookie",
        "apiKey",
        "*.apiKey",
        "secret",
        "*.secret",
      ],
      censor: "[redacted]",
    },
  });
}
