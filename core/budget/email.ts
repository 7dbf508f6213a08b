import nodemailer from "nodemailer";
import type { Notifier } from "./alerts.ts";

/**
 * Budget alerts by email through SMTP_URL (smtp:// with STARTTLS when the server offers it,
 * smtps:// for TLS from the start; credentials in the URL). One short plain-text message.
 */
export function emailNotifier(smtp: { url: string; from: string }, to: string): Notifier {
  const transport = nodemailer.createTransport({
    url: smtp.url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(text) {
      await transport.sendMail({
        from: smtp.from,
        to,
        subject: text.split(":")[0] ?? "Article Bot budget alert",
        text: `${text}\n\nSet budgets and where alerts go in the Article Bot console (Settings, Workspaces).`,
      });
    },
  };
}
