import type { messagingApi } from "@line/bot-sdk";
import type { DraftSummary } from "../../core/deliver/sink.ts";
import type { Language } from "../../core/domain.ts";
import { lastGraphemeBoundary, lastWordBoundary } from "../../core/text/words.ts";
import { encodeAction, type LineAction } from "./actions.ts";
import type { LineMessage } from "./client.ts";
import { CARD_COPY, CONTINUE_COPY, wordsLine } from "./delivery-copy.ts";

/**
 * The Flex cards under a draft. Quick replies show on iOS and Android only; a Flex bubble's
 * buttons work on LINE for PC and Mac too, where office staff read their drafts.
 *
 * https://developers.line.biz/en/reference/messaging-api/#flex-message
 */

type FlexComponent = messagingApi.FlexComponent;

/** The closing card: title, length, notices, sources, follow-ups and 👍 👎 as postbacks. */
export function resultCard(s: DraftSummary, lang: Language): LineMessage {
  const title = clip(titleOf(s), 120);
  const notes: FlexComponent[] = [];
  if (s.cacheHit) notes.push(small(`♻️ ${CARD_COPY.cacheHit[lang]}`));
  if (s.offline) notes.push(small(`ℹ️ ${CARD_COPY.offline[lang]}`));
  const sources = s.sources.slice(0, 3).map((x) => small(`• ${clip(x.title, 80)}`));
  const body: FlexComponent[] = [
    { type: "text", text: title, weight: "bold", size: "md", wrap: true },
    { type: "text", text: `✅ ${wordsLine(s.words, lang)}`, size: "sm", color: "#555555", wrap: true },
    ...notes,
    ...(sources.length ? [small(`${CARD_COPY.basedOn[lang]}:`), ...sources] : []),
  ];
  const id = s.generationId;
  return flex(`✅ ${wordsLine(s.words, lang)}`, {
    type: "bubble",
    body: { type: "box", layout: "vertical", spacing: "sm", contents: body },
    footer: {
      type: "box",
      layout: "vertical",
      spacing: "sm",
      contents: [
        button(lang, CARD_COPY.shorter[lang], { kind: "shorter", generationId: id }),
        button(lang, CARD_COPY.angle[lang], { kind: "angle", generationId: id }),
        button(lang, CARD_COPY.newTopic[lang], { kind: "new_topic" }),
        {
          type: "box",
          layout: "horizontal",
          spacing: "sm",
          contents: [
            button(lang, CARD_COPY.up[lang], { kind: "vote", generationId: id, vote: "up" }),
            button(lang, CARD_COPY.down[lang], { kind: "vote", generationId: id, vote: "down" }),
          ],
        },
      ],
    },
  });
}

/** "Continue reading": its tap brings a fresh reply token, so the rest of the draft is free too. */
export function continueCard(generationId: string, lang: Language, still: "more" | "writing"): LineMessage {
  const say = CONTINUE_COPY[still][lang];
  return flex(say, {
    type: "bubble",
    body: {
      type: "box",
      layout: "vertical",
      contents: [{ type: "text", text: say, wrap: true, size: "sm" }],
    },
    footer: {
      type: "box",
      layout: "vertical",
      contents: [
        {
          type: "button",
          style: "primary",
          action: {
            type: "postback",
            label: CONTINUE_COPY.button[lang],
            data: encodeAction({ kind: "continue", generationId }, lang),
            displayText: CONTINUE_COPY.button[lang],
          },
        },
      ],
    },
  });
}

/** At most `max` characters, cut between words (Thai too) with an ellipsis. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const at = lastWordBoundary(text, max - 1) || lastGraphemeBoundary(text, max - 1);
  return `${text.slice(0, at).trimEnd()}…`;
}

function titleOf(s: DraftSummary): string {
  const heading = /^#[ \t]+(\S[^\n]*)$/m.exec(s.draft)?.[1]?.trim();
  return heading || s.request.topic;
}

function small(text: string): FlexComponent {
  return { type: "text", text, size: "xs", color: "#777777", wrap: true };
}

function button(lang: Language, label: string, action: LineAction): FlexComponent {
  return {
    type: "button",
    style: "secondary",
    height: "sm",
    action: { type: "postback", label, data: encodeAction(action, lang), displayText: label },
  };
}

function flex(altText: string, contents: messagingApi.FlexBubble): LineMessage {
  return { type: "flex", altText: altText.slice(0, 1_500), contents };
}
