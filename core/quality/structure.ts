import { mapMarkdown } from "../text/markdown.ts";

/** The house outline (title, hook, 3+ sections, a closing takeaway) as found in a draft. */
export interface Outline {
  title: boolean;
  intro: boolean;
  sections: number;
  closing: boolean;
}

// Headings a closing takeaway goes by, in English and Thai (matched as plain substrings).
const CLOSING_WORDS = [
  "takeaway",
  "next step",
  "what to do",
  "action",
  "conclusion",
  "recommendation",
  "the road ahead",
  "looking ahead",
  "สรุป",
  "ข้อเสนอแนะ",
  "สิ่งที่ควรทำ",
  "ก้าวต่อไป",
  "แนวทาง",
];

const LIST_ITEM = /^\s{0,3}(?:[-*+]|\d{1,2}[.)])\s/;

export function articleOutline(draft: string): Outline {
  const map = mapMarkdown(draft);
  const lines = map.lines.map((l) => ({ ...l, body: draft.slice(l.start, l.end) }));
  const titleAt = lines.findIndex((l) => l.kind === "heading" && l.level === 1);
  const sectionIdx = lines.flatMap((l, i) => (l.kind === "heading" && l.level === 2 ? [i] : []));
  const firstSection = sectionIdx[0] ?? lines.length;
  const intro = lines
    .slice(titleAt + 1, firstSection)
    .some((l) => l.kind === "text" && !LIST_ITEM.test(l.body) && l.body.trim().length >= 40);
  const last = sectionIdx.at(-1);
  let closing = false;
  if (last !== undefined && sectionIdx.length >= 2) {
    const heading = lines[last]?.body.toLocaleLowerCase() ?? "";
    const body = lines.slice(last + 1);
    closing =
      CLOSING_WORDS.some((w) => heading.includes(w)) ||
      body.filter((l) => LIST_ITEM.test(l.body)).length >= 2;
  }
  return { title: titleAt !== -1, intro, sections: sectionIdx.length, closing };
}
