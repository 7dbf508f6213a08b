/**
 * Words that do not tell one topic from another, in English and Thai. The topic cache keys on
 * what is left, so "AI in retail" and "retail AI" meet; keep the list to function words —
 * a content word here would make two different topics share a draft.
 */
const ENGLISH = `a an the and or nor but of in on at to for from by with without about into onto over
  under within across between through via vs versus as is are was were be been being it its this that
  these those their our your my his her them they we you i me us how what why when where which who
  whom whose do does did can could should would will may might must shall some any all each more
  most than then so such not no up out off per amid around toward towards upon`;

// Particles, prepositions and connectors as ICU's Thai dictionary segments them.
const THAI = `ใน ของ และ ที่ กับ สำหรับ เพื่อ เรื่อง แก่ ต่อ จาก โดย หรือ ว่า ให้ ได้ เป็น คือ มี จะ ซึ่ง
  อย่าง ไร บน ถึง แห่ง แต่ ก็ นี้ นั้น ไป มา อยู่ ด้วย เกี่ยวกับ ระหว่าง ทั้ง หรือไม่ อะไร ยังไง
  อย่างไร ครับ ค่ะ คะ นะ จ้ะ จ้า หน่อย`;

export const STOP_WORDS: ReadonlySet<string> = new Set(`${ENGLISH} ${THAI}`.split(/\s+/).filter(Boolean));
