// Opt-out keywords: a message whose whole text is one of these stops (or restarts) automated DMs.
// Case, accents' composition and spacing are ignored; the Vietnamese words are part of the seed.

const STOP = ["stop", "unsubscribe", "opt out", "optout", "dừng", "hủy", "huỷ"];
const START = ["start", "subscribe", "bắt đầu", "đăng ký", "đăng kí"];

export type OptKeyword = "stop" | "start";

const normalize = (text: string) => text.normalize("NFC").toLowerCase().replace(/[\s\u00a0]+/g, " ").replace(/^[\s.!]+|[\s.!]+$/g, "").trim();
const STOP_SET = new Set(STOP.map(normalize));
const START_SET = new Set(START.map(normalize));

export function optKeyword(text: string): OptKeyword | null {
  const t = normalize(text);
  if (STOP_SET.has(t)) return "stop";
  if (START_SET.has(t)) return "start";
  return null;
}

export const OPT_OUT_CONFIRMATION = "You're unsubscribed and won't receive automated messages from us. Reply START to subscribe again.";
export const OPT_IN_CONFIRMATION = "You're subscribed again. Reply STOP at any time to unsubscribe.";
