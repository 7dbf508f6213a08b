import type { ModalView } from "@slack/web-api";
import { z } from "zod";
import type { ArticleRequest, Language } from "../../core/domain.ts";
import { INDUSTRIES } from "../../core/request/industries.ts";
import type { RequestForm } from "../../core/request/parse.ts";
import { LENGTH_LIMITS, TONES } from "../../core/request/rules.ts";
import { speakerLanguage } from "../../core/text/language.ts";
import { formWords } from "./copy.ts";

/**
 * The /article form (also opened by the global shortcut): topic, industry, audience, length,
 * keywords, language and tone. What the form submits is handed to the pipeline as a form
 * (core/request/parse.ts), which validates and caps it like a chat message.
 */

export const ARTICLE_MODAL = "article_request";

/** Where the draft should go, and the language the form speaks, carried in private_metadata. */
export interface ModalOrigin {
  channel: string | null;
  threadTs?: string;
  /** The form's own words (labels, field errors); not the article's language. */
  language?: Language;
}

/**
 * The form in the language of the topic they typed, else in theirs (their Slack locale), and
 * the article's Language starts there too: the rule the core applies to a typed request
 * (speakerLanguage: Thai readers mix English terms into Thai topics).
 */
export function articleModal(
  origin: ModalOrigin,
  prefill: { topic?: string; person?: Language } = {},
): ModalView {
  const topic = prefill.topic?.slice(0, 200);
  const person = prefill.person ?? "en";
  const language = speakerLanguage(topic ?? "", person);
  const t = formWords(language);
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
  const languages = { en: option("en", "English"), th: option("th", "ไทย (Thai)") };
  return {
    type: "modal",
    callback_id: ARTICLE_MODAL,
    title: { type: "plain_text", text: t.title },
    submit: { type: "plain_text", text: t.submit },
    close: { type: "plain_text", text: t.close },
    private_metadata: JSON.stringify({ ...origin, language }),
    blocks: [
      input(
        "topic",
        t.topic,
        {
          type: "plain_text_input",
          max_length: 200,
          placeholder: { type: "plain_text", text: t.topicPlaceholder },
          ...(topic ? { initial_value: topic } : {}),
        },
        false,
      ),
      input("industry", t.industry, {
        type: "static_select",
        placeholder: { type: "plain_text", text: t.any },
        options: INDUSTRIES.map((i) => option(i, label(i))),
      }),
      input("audience", t.audience, {
        type: "plain_text_input",
        max_length: 80,
        placeholder: { type: "plain_text", text: t.audiencePlaceholder },
      }),
      input(
        "length",
        t.length,
        {
          type: "number_input",
          is_decimal_allowed: false,
          min_value: String(LENGTH_LIMITS.minWords),
          max_value: String(LENGTH_LIMITS.maxWords),
          initial_value: String(LENGTH_LIMITS.defaultWords),
        },
        false,
        t.lengthHint,
      ),
      input(
        "keywords",
        t.keywords,
        {
          type: "plain_text_input",
          max_length: 300,
          placeholder: { type: "plain_text", text: t.keywordsPlaceholder },
        },
        true,
        t.keywordsHint,
      ),
      input(
        "language",
        t.language,
        {
          type: "static_select",
          initial_option: languages[language],
          options: [languages.en, languages.th],
        },
        false,
      ),
      input("tone", t.tone, {
        type: "static_select",
        initial_option: option("executive", "Executive"),
        options: TONES.map((tone) => option(tone, label(tone))),
      }),
    ],
  };
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

/**
 * Checks Slack can show next to the fields, before the modal closes (no I/O: it runs before the
 * ack), in the language the form speaks.
 */
export function formErrors(form: RequestForm, language: Language = "en"): Record<string, string> | null {
  const t = formWords(language);
  const errors: Record<string, string> = {};
  if (!/\p{L}/u.test(form.topic ?? "")) errors.topic = t.topicInWords;
  const n = Number(form.targetWords);
  const { minWords, maxWords } = LENGTH_LIMITS;
  if (form.targetWords && (!Number.isInteger(n) || n < minWords || n > maxWords))
    errors.length = t.lengthBetween(minWords, maxWords);
  return Object.keys(errors).length ? errors : null;
}

const OriginSchema = z.object({
  channel: z.string().nullish().catch(null),
  threadTs: z.string().optional().catch(undefined),
  language: z.enum(["en", "th"]).optional().catch(undefined),
});

export function readOrigin(metadata: string | undefined): ModalOrigin {
  let raw: unknown;
  try {
    raw = JSON.parse(metadata ?? "");
  } catch {
    return { channel: null };
  }
  const o = OriginSchema.safeParse(raw);
  if (!o.success) return { channel: null };
  return {
    channel: o.data.channel || null,
    ...(o.data.threadTs !== undefined ? { threadTs: o.data.threadTs } : {}),
    ...(o.data.language ? { language: o.data.language } : {}),
  };
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
