// X's weighted length of a post (twitter-text v3, as X counts it): 280 units, where a character of
// Latin, Greek, Cyrillic and common punctuation counts 1, any other (CJK, most scripts) 2, an
// emoji (a whole sequence, however many code points) 2, and every URL 23 whatever its length.

export const MAX_POST_WEIGHT = 280;
/** what X's t.co wrapping makes every link count */
export const POST_URL_WEIGHT = 23;

// the code point ranges twitter-text weighs 1 (the rest weigh 2)
const LIGHT_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x10ff],
  [0x2000, 0x200d],
  [0x2010, 0x201f],
  [0x2032, 0x2037],
];
const URL = /https?:\/\/[^\s]+/giu;
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u;
const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

const weightOf = (cp: number): number => (LIGHT_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi) ? 1 : 2);

function textWeight(text: string): number {
  let weight = 0;
  for (const { segment } of graphemes.segment(text)) {
    if (EMOJI.test(segment)) weight += 2;
    else for (const ch of segment) weight += weightOf(ch.codePointAt(0) ?? 0);
  }
  return weight;
}

/** The post's length as X counts it (NFC-normalized first, as X does). */
export function postWeight(text: string): number {
  const normalized = text.normalize("NFC");
  let weight = 0;
  let last = 0;
  for (const m of normalized.matchAll(URL)) {
    weight += textWeight(normalized.slice(last, m.index)) + POST_URL_WEIGHT;
    last = m.index + m[0].length;
  }
  return weight + textWeight(normalized.slice(last));
}
