import { describe, expect, it } from "vitest";
import type { ArticleRequest, Source } from "../../core/domain.ts";
import { composeBrief, condense, OfflineComposer } from "../../core/generate/offline.ts";
import { buildPrompt, continuePrompt } from "../../core/generate/prompt.ts";
import type { GenerationEvent } from "../../core/generate/types.ts";
import { segmentStarts } from "../../core/text/words.ts";

const request: ArticleRequest = {
  topic: "AI in retail",
  industry: "retail",
  audience: "executives",
  targetWords: 800,
  keywords: ["inventory"],
  language: "en",
  tone: "executive",
};
const sources: Source[] = [
  {
    documentId: "a",
    title: "Forecasting demand store by store",
    excerpt: "Leaders forecast demand per store and cut excess stock by 15 to 20 percent.",
    score: 0.9,
    industry: "retail",
  },
  {
    documentId: "b",
    title: "Eyes on the shelf",
    excerpt: "Cameras check planograms overnight so staff fix gaps in the morning.",
    score: 0.8,
    industry: "retail",
  },
];

async function collect(stream: AsyncIterable<GenerationEvent>) {
  const events: GenerationEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

describe("OfflineComposer", () => {
  it("labels its output as an offline outline on the first line and uses the excerpts", async () => {
    const composer = new OfflineComposer();
    expect(composer.offline).toBe(true);
    const events = await collect(composer.stream(buildPrompt(request, sources)));
    const text = events.flatMap((e) => (e.type === "delta" ? [e.text] : [])).join("");
    const firstLine = text.split("\n")[0]!;
    expect(firstLine).toMatch(/outline composed offline, without a language model/i);
    expect(firstLine).toMatch(/not a finished article/);
    for (const heading of [
      "## The question",
      "## What the references say",
      "## Outline of the article to write",
      "## Suggested next steps",
    ]) {
      expect(text).toContain(heading);
    }
    for (const s of sources) {
      expect(text).toContain(s.title);
      expect(text).toContain(s.excerpt);
    }
    expect(events.at(-1)).toEqual({
      type: "usage",
      model: "offline-composer",
      inputTokens: 0,
      outputTokens: 0,
    });
  });

  it("streams in small deltas that join to the whole brief", async () => {
    const prompt = buildPrompt(request, sources);
    const deltas = (await collect(new OfflineComposer().stream(prompt))).flatMap((e) =>
      e.type === "delta" ? [e.text] : [],
    );
    expect(deltas.length).toBeGreaterThan(20);
    expect(Math.max(...deltas.map((d) => d.length))).toBeLessThan(80);
    expect(deltas.join("")).toBe(composeBrief(request, prompt.sourcesUsed));
  });

  it("writes the brief in Thai for a Thai request and says when no reference matched", () => {
    const text = composeBrief(
      { ...request, language: "th", topic: "AI ในธุรกิจค้าปลีก", audience: "ผู้บริหาร" },
      [],
    );
    expect(text.split("\n")[0]).toMatch(/จัดทำแบบออฟไลน์ โดยไม่ใช้โมเดลภาษา/);
    expect(text).toContain("## แหล่งอ้างอิงกล่าวไว้อย่างไร");
    expect(text).toContain("ไม่พบบทความอ้างอิง");
    expect(text).not.toMatch(/The question|What the references say/);
  });

  it("condenses a long excerpt instead of pasting it whole", () => {
    const long = { ...sources[0]!, excerpt: `${"Retail leaders forecast demand per store. ".repeat(30)}` };
    const text = composeBrief(request, [long]);
    expect(text).toContain("Retail leaders forecast demand per store.");
    expect(text.length).toBeLessThan(composeBrief(request, []).length + 800);
  });

  it("condenses Thai, which has no spaces, at a word of the whole excerpt", () => {
    const thai = "ปัญญาประดิษฐ์กำลังเปลี่ยนโฉมธุรกิจค้าปลีกและการบริหารสินค้าคงคลัง".repeat(12);
    const out = condense(thai, 100);
    expect(out.endsWith("…")).toBe(true);
    const kept = out.slice(0, -1);
    expect(kept.length).toBeLessThanOrEqual(100);
    expect(kept.length).toBeGreaterThan(80);
    expect(thai.startsWith(kept)).toBe(true);
    expect(segmentStarts(thai).has(kept.length)).toBe(true);
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      collect(new OfflineComposer().stream(buildPrompt(request, sources), { signal: controller.signal })),
    ).rejects.toThrow(/abort/i);
  });

  it("resumes a partly delivered brief exactly where it stopped", async () => {
    const prompt = buildPrompt(request, sources);
    const whole = composeBrief(request, prompt.sourcesUsed);
    const delivered = whole.slice(0, 300);
    const rest = (await collect(new OfflineComposer().stream(continuePrompt(prompt, delivered))))
      .flatMap((e) => (e.type === "delta" ? [e.text] : []))
      .join("");
    expect(delivered + rest).toBe(whole);
  });
});
