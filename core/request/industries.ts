/**
 * The industries the corpus and the topic cache are organised by, and the words (English and
 * Thai) that name them in a request. English words match whole words; Thai has no spaces, so
 * a Thai keyword matches anywhere in the text.
 */

export const INDUSTRIES = [
  "retail",
  "healthcare",
  "banking",
  "insurance",
  "manufacturing",
  "logistics",
  "energy",
  "telecom",
  "real-estate",
  "hospitality",
  "agriculture",
  "education",
  "government",
  "media",
  "automotive",
  "technology",
] as const;

export type Industry = (typeof INDUSTRIES)[number];

const KEYWORDS: Record<Industry, { en: string[]; th: string[] }> = {
  retail: {
    en: [
      "retail(?:ers?|ing)?",
      "e-?commerce",
      "shops?",
      "stores?",
      "shopping",
      "consumer goods",
      "fmcg",
      "supermarkets?",
    ],
    th: ["ค้าปลีก", "ร้านค้า", "อีคอมเมิร์ซ", "ห้างสรรพสินค้า", "ซูเปอร์มาร์เก็ต"],
  },
  healthcare: {
    en: [
      "health ?care",
      "health ?tech",
      "digital health",
      "hospitals?",
      "medical",
      "medicine",
      "clinics?",
      "pharma(?:ceuticals?)?",
      "patients?",
    ],
    th: ["โรงพยาบาล", "สุขภาพ", "การแพทย์", "คลินิก", "ผู้ป่วย"],
  },
  banking: {
    en: ["bank(?:s|ing)?", "fintech", "financial services", "finance", "payments?", "lending"],
    th: ["ธนาคาร", "การเงิน", "ฟินเทค", "สินเชื่อ", "การชำระเงิน"],
  },
  insurance: {
    en: ["insur(?:ance|ers?|tech)"],
    th: ["ประกันภัย", "ประกันชีวิต", "ประกันสุขภาพ", "ธุรกิจประกัน", "อินชัวร์เทค"],
  },
  manufacturing: {
    en: ["manufactur(?:ing|ers?)", "factor(?:y|ies)", "industry 4\\.0", "production lines?"],
    th: ["การผลิต", "โรงงาน", "อุตสาหกรรมการผลิต"],
  },
  logistics: {
    en: ["logistics", "supply chains?", "shipping", "freight", "warehous(?:e|es|ing)", "transport(?:ation)?"],
    th: ["โลจิสติกส์", "ขนส่ง", "ซัพพลายเชน", "ห่วงโซ่อุปทาน", "คลังสินค้า"],
  },
  energy: {
    en: ["energy", "utilit(?:y|ies)", "power grids?", "renewables?", "oil and gas", "solar"],
    th: ["พลังงาน", "ไฟฟ้า", "โซลาร์"],
  },
  telecom: {
    en: ["telecoms?", "telecommunications?", "telcos?", "5g", "mobile operators?"],
    th: ["โทรคมนาคม", "เครือข่ายมือถือ"],
  },
  "real-estate": {
    en: ["real estate", "property (?:market|developers?|management)", "proptech", "construction"],
    th: ["อสังหาริมทรัพย์", "อสังหา", "ก่อสร้าง"],
  },
  hospitality: {
    en: ["hospitality", "hotels?", "tourism", "travel", "restaurants?"],
    th: ["โรงแรม", "ท่องเที่ยว", "ร้านอาหาร"],
  },
  agriculture: {
    en: ["agri(?:culture|tech|food)?", "farm(?:s|ing|ers?)?", "crops?"],
    th: ["เกษตร", "ฟาร์ม", "เกษตรกร"],
  },
  education: {
    en: ["education", "edtech", "schools?", "universit(?:y|ies)", "e-?learning"],
    th: ["การศึกษา", "โรงเรียน", "มหาวิทยาลัย"],
  },
  government: {
    en: ["government", "public sector", "govtech", "smart cit(?:y|ies)", "public services?"],
    th: ["ภาครัฐ", "รัฐบาล", "หน่วยงานรัฐ"],
  },
  media: {
    en: ["media", "publishing", "entertainment", "broadcast(?:ing|ers?)?", "advertising"],
    th: ["สื่อมวลชน", "สื่อดิจิทัล", "อุตสาหกรรมสื่อ", "มีเดีย", "บันเทิง", "โฆษณา"],
  },
  automotive: {
    en: ["automotive", "car ?makers?", "cars?", "vehicles?", "evs?", "electric vehicles?"],
    th: ["ยานยนต์", "รถยนต์", "รถยนต์ไฟฟ้า"],
  },
  technology: {
    en: [
      "tech industry",
      "technology (?:sector|industry|companies)",
      "software",
      "saas",
      "it services",
      "semiconductors?",
    ],
    th: ["อุตสาหกรรมเทคโนโลยี", "ซอฟต์แวร์", "ไอที"],
  },
};

const MATCHERS: Array<{ industry: Industry; pattern: RegExp }> = INDUSTRIES.flatMap((industry) => [
  ...KEYWORDS[industry].en.map((w) => ({
    industry,
    pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${w})(?![\\p{L}\\p{N}])`, "iu"),
  })),
  ...KEYWORDS[industry].th.map((w) => ({ industry, pattern: new RegExp(w, "u") })),
]);

/**
 * The industry a request names, or null. When several match, the one named first wins
 * ("ประกันสุขภาพ", health insurance, is insurance), then the longer keyword.
 */
export function detectIndustry(text: string): Industry | null {
  let best: { industry: Industry; at: number; length: number } | null = null;
  for (const { industry, pattern } of MATCHERS) {
    const m = pattern.exec(text);
    if (!m) continue;
    const better = !best || m.index < best.at || (m.index === best.at && m[0].length > best.length);
    if (better) best = { industry, at: m.index, length: m[0].length };
  }
  return best?.industry ?? null;
}

/** A form's industry field: a slug, or anything detectIndustry recognises ("Banking & Finance"). */
export function industryFromField(value: string): Industry | null {
  const slug = value
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-");
  return (INDUSTRIES as readonly string[]).includes(slug) ? (slug as Industry) : detectIndustry(value);
}
