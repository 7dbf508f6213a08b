import { splitForLine, toPlainText } from "../../bot/line/plain-text.ts";
import { draftBlocks, fallbackText, toMrkdwn } from "../../bot/slack/mrkdwn.ts";
import { Chunker } from "../../core/deliver/chunker.ts";
import { parseArticleRequest } from "../../core/request/parse.ts";
import { chunkMarkdown, parseArticle } from "../../core/retrieval/markdown.ts";
import { mapMarkdown } from "../../core/text/markdown.ts";

/** Inputs shaped to make a regex try every split: long runs with one spoiler at the end. */
export const ADVERSARIAL: Record<string, (n: number) => string> = {
  "heading, spaces, then a letter": (n) => `# a${" ".repeat(n)}b`,
  "heading of hashes": (n) => `# ${"#".repeat(n)} x`,
  "heading of spaced hashes": (n) => `# a${" #".repeat(n / 2)}b`,
  "hashes only": (n) => "#".repeat(n),
  "heading, tabs": (n) => `## a${"\t".repeat(n)}b`,
  "unclosed bold": (n) => `**${"a ".repeat(n / 2)}`,
  "bold then spaces": (n) => `**a${" ".repeat(n)}`,
  "stars and letters": (n) => "*a".repeat(n / 2),
  "underscores and letters": (n) => "_a".repeat(n / 2),
  "underscore words": (n) => "_a _".repeat(n / 4),
  "strike runs": (n) => "~~a ".repeat(n / 4),
  "star runs": (n) => "*".repeat(n),
  "double stars spaced": (n) => "** ".repeat(n / 3),
  "open brackets": (n) => "[".repeat(n),
  "link openings": (n) => "[a](".repeat(n / 4),
  "link with spaces": (n) => `[a](b${" ".repeat(n)}`,
  "link title unclosed": (n) => `[a](b "${"x".repeat(n)}`,
  "images unclosed": (n) => "![a](".repeat(n / 5),
  "angle urls": (n) => `<https://${"a".repeat(n)}`,
  backticks: (n) => "`".repeat(n),
  "code spans unclosed": (n) => "`a".repeat(n / 2),
  "rule lookalike": (n) => `${"- ".repeat(n / 2)}x`,
  "rule spaces": (n) => `-${" ".repeat(n)}-${" ".repeat(n)}x`,
  "table pipes": (n) => "|".repeat(n),
  "table separator lookalike": (n) => `|${" ---|".repeat(n / 5)}x`,
  "table cells spaced": (n) => `| ${" ".repeat(n)}:-x`,
  "bullets nested": (n) => `${" ".repeat(n)}- x`,
  "quotes nested": (n) => "> ".repeat(n / 2),
  escapes: (n) => "\\".repeat(n),
  fences: (n) => "```\n".repeat(n / 4),
  "long word": (n) => "a".repeat(n),
  "thai run": (n) => "ปัญญาประดิษฐ์".repeat(n / 13),
  "many short lines": (n) => "a\n".repeat(n / 2),
  "front matter unclosed": (n) => `---\n${"title: x\n".repeat(n / 9)}`,
  "front matter key spaces": (n) => `---\nk${" ".repeat(n)}x\n---\n`,
  emoji: (n) => "🚀".repeat(n / 2),
  "mention noise": (n) => "<@U123> ".repeat(n / 8),
};

export const TRANSFORMERS: Record<string, (text: string) => unknown> = {
  "request parsing": (t) => parseArticleRequest({ kind: "text", text: t }, { maxWords: 2000 }),
  chunker: (t) => {
    const chunker = new Chunker({ maxChars: 3000 });
    const out = [];
    for (let i = 0; i < t.length; i += 512) out.push(...chunker.push(t.slice(i, i + 512)));
    return out.concat(chunker.end());
  },
  "markdown → Slack": (t) => [toMrkdwn(t), draftBlocks(t), fallbackText(t)],
  "markdown → LINE": (t) => splitForLine(toPlainText(t)),
  "corpus markdown": (t) => chunkMarkdown(parseArticle(t, "x.md").body),
  "markdown map": (t) => mapMarkdown(t),
};
