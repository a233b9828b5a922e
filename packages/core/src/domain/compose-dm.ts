// What a quick_reply or card template sends. X's DM call (POST /2/dm_conversations/with/{id}/messages,
// the one the service makes) carries text only, so the options travel in the text: a quick_reply
// lists them numbered under the message, a card puts each button on its own line as
// "label: url" (in campaigns that URL then becomes a tracked short link like any other). The
// options themselves are kept with the message, so that the customer's answer — the number, the
// label, or X's quick-reply metadata when a client sends one — is read back as the option chosen.

export const MAX_DM_CHARS = 10_000;

export interface QuickReplyOption {
  label: string;
  description?: string | undefined;
  metadata?: string | undefined;
}

export interface ButtonOption {
  label: string;
  url: string;
}

export type DmMetadata = { quickReplies: QuickReplyOption[] } | { buttons: ButtonOption[] };

export interface DmParts {
  type: "text" | "quick_reply" | "card";
  /** the rendered message */
  text: string;
  quickReplies?: readonly QuickReplyOption[] | null | undefined;
  buttons?: readonly ButtonOption[] | null | undefined;
}

export type ComposedDm = { ok: true; text: string; metadata: DmMetadata | null } | { ok: false; error: string };

/** The DM's text as X receives it, and what to keep with the message. */
export function composeDm(parts: DmParts): ComposedDm {
  let text = parts.text;
  let metadata: DmMetadata | null = null;
  if (parts.type === "quick_reply" && parts.quickReplies?.length) {
    const options = parts.quickReplies.map((o) => ({ ...o }));
    const lines = options.map((o, i) => `${i + 1}. ${o.label}${o.description ? ` – ${o.description}` : ""}`);
    text = `${text}\n\n${lines.join("\n")}`;
    metadata = { quickReplies: options };
  } else if (parts.type === "card" && parts.buttons?.length) {
    const buttons = parts.buttons.map((b) => ({ label: b.label, url: b.url }));
    text = `${text}\n\n${buttons.map((b) => `${b.label}: ${b.url}`).join("\n")}`;
    metadata = { buttons };
  }
  if (text.length > MAX_DM_CHARS) return { ok: false, error: `the message with its options exceeds X's limit of ${MAX_DM_CHARS} characters` };
  return { ok: true, text, metadata };
}

export interface QuickReplyChoice {
  /** 1-based, as listed in the DM */
  index: number;
  label: string;
  metadata?: string | undefined;
}

const normalize = (s: string) =>
  s
    .normalize("NFKC")
    .toLocaleLowerCase()
    .replace(/\s+/g, " ")
    .trim();

/**
 * The option an answer chose, if it chose one: X's quick-reply metadata when present, else the
 * answer is the option's number ("2", "2.", "#2"), its label, or "2. label" as listed.
 */
export function matchQuickReply(answer: string, options: readonly QuickReplyOption[], responseMetadata?: string | null): QuickReplyChoice | null {
  const choice = (i: number): QuickReplyChoice => {
    const o = options[i] as QuickReplyOption;
    return { index: i + 1, label: o.label, ...(o.metadata !== undefined ? { metadata: o.metadata } : {}) };
  };
  if (responseMetadata !== undefined && responseMetadata !== null) {
    const i = options.findIndex((o) => o.metadata === responseMetadata);
    if (i >= 0) return choice(i);
  }
  const said = normalize(answer).replace(/[.!?)]+$/, "");
  const byNumber = /^#?(\d{1,2})$/.exec(said);
  if (byNumber) {
    const i = Number(byNumber[1]) - 1;
    return i >= 0 && i < options.length ? choice(i) : null;
  }
  const numbered = /^#?(\d{1,2})[.)]?\s+(.+)$/.exec(said);
  for (let i = 0; i < options.length; i++) {
    const label = normalize((options[i] as QuickReplyOption).label).replace(/[.!?)]+$/, "");
    if (said === label) return choice(i);
    if (numbered && Number(numbered[1]) === i + 1 && numbered[2] === label) return choice(i);
  }
  return null;
}
