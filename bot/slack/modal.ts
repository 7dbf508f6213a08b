import type { View } from "@slack/web-api";
import type { ArticleRequest } from "../../core/domain.ts";
import { INDUSTRIES } from "../../core/request/industries.ts";
import type { RequestForm } from "../../core/request/parse.ts";
import { LENGTH_LIMITS, TONES } from "../../core/request/rules.ts";

/**
 * The /article form (also opened by the global shortcut): topic, industry, audience, length,
 * keywords, language and tone. What the form submits is handed to the pipeline as a form
 * (core/request/parse.ts), which validates and caps it like a chat message.
 */

export const ARTICLE_MODAL = "article_request";

/** Where the draft should go, carried through the modal in private_metadata. */
export interface ModalOrigin {
  channel: string | null;
  threadTs?: string;
}

export function articleModal(origin: ModalOrigin, prefill: { topic?: string } = {}): View {
  const option = (value: string, text: string) => ({ value, text: { type: "plain_text" as const, text } });
  const input = (
    block_id: string,
    label: string,
    element: Record<string, unknown>,
    optional = true,
    hint?: string,
  ) => ({
    type: "input" as const,
    block_id,
    optional,
    label: { type: "plain_text" as const, text: label },
    element: { action_id: "value", ...element },
    ...(hint ? { hint: { type: "plain_text" as const, text: hint } } : {}),
  });
  const topic = prefill.topic?.slice(0, 200);
  return {
    type: "modal",
    callback_id: ARTICLE_MODAL,
    title: { type: "plain_text", text: "New article" },
    submit: { type: "plain_text", text: "Write it" },
    close: { type: "plain_text", text: "Cancel" },
    private_metadata: JSON.stringify(origin),
    blocks: [
      input(
        "topic",
        "Topic",
        {
          type: "plain_text_input",
          max_length: 200,
          placeholder: { type: "plain_text", text: "AI in healthcare" },
          ...(topic ? { initial_value: topic } : {}),
        },
        false,
      ),
      input("industry", "Industry", {
        type: "static_select",
        placeholder: { type: "plain_text", text: "Any" },
        options: INDUSTRIES.map((i) => option(i, label(i))),
      }),
      input("audience", "Audience", {
        type: "plain_text_input",
        max_length: 80,
        placeholder: { type: "plain_text", text: "executives" },
      }),
      input(
        "length",
        "Length (words)",
        {
          type: "number_input",
          is_decimal_allowed: false,
          min_value: String(LENGTH_LIMITS.minWords),
          max_value: String(LENGTH_LIMITS.maxWords),
          initial_value: String(LENGTH_LIMITS.defaultWords),
        },
        false,
        "Your plan's maximum applies.",
      ),
      input(
        "keywords",
        "Keywords",
        {
          type: "plain_text_input",
          max_length: 300,
          placeholder: { type: "plain_text", text: "open banking, embedded finance" },
        },
        true,
        "Separate with commas.",
      ),
      input(
        "language",
        "Language",
        {
          type: "static_select",
          initial_option: option("en", "English"),
          options: [option("en", "English"), option("th", "ไทย (Thai)")],
        },
        false,
      ),
      input("tone", "Tone", {
        type: "static_select",
        initial_option: option("executive", "Executive"),
        options: TONES.map((t) => option(t, label(t))),
      }),
    ],
  } as View;
}

type Values = Record<
  string,
  Record<string, { value?: string | null; selected_option?: { value: string } | null }>
>;

/** The submitted values as the pipeline's form. */
export function readArticleForm(values: Values): RequestForm {
  const get = (block: string) => {
    const v = values?.[block]?.value;
    return (v?.selected_option?.value ?? v?.value ?? "").trim();
  };
  return {
    topic: get("topic"),
    industry: get("industry") || null,
    audience: get("audience") || null,
    targetWords: get("length") || null,
    keywords: get("keywords") || null,
    language: get("language") || null,
    tone: get("tone") || null,
  };
}

/** Checks Slack can show next to the fields, before the modal closes (no I/O: it runs before the ack). */
export function formErrors(form: RequestForm): Record<string, string> | null {
  const errors: Record<string, string> = {};
  if (!/\p{L}/u.test(form.topic ?? "")) errors.topic = "Please describe the topic in words.";
  const n = Number(form.targetWords);
  const { minWords, maxWords } = LENGTH_LIMITS;
  if (form.targetWords && (!Number.isInteger(n) || n < minWords || n > maxWords))
    errors.length = `Between ${minWords} and ${maxWords} words.`;
  return Object.keys(errors).length ? errors : null;
}

export function readOrigin(metadata: string | undefined): ModalOrigin {
  try {
    const o = JSON.parse(metadata ?? "") as Partial<ModalOrigin>;
    return {
      channel: typeof o.channel === "string" && o.channel ? o.channel : null,
      threadTs: typeof o.threadTs === "string" ? o.threadTs : undefined,
    };
  } catch {
    return { channel: null };
  }
}

/** A request back as a form, to write it again (Regenerate, Shorten, Try again). */
export function formOf(request: ArticleRequest, changes: Partial<ArticleRequest> = {}): RequestForm {
  const r = { ...request, ...changes };
  return {
    topic: r.topic,
    industry: r.industry,
    audience: r.audience,
    targetWords: r.targetWords,
    keywords: r.keywords,
    language: r.language,
    tone: r.tone,
  };
}

function label(slug: string): string {
  const text = slug.replace(/-/g, " ");
  return text[0]!.toUpperCase() + text.slice(1);
}
