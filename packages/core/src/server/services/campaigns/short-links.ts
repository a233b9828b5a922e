// Links in campaign messages become short links on our API (/r/{code}) so a click is counted per
// recipient before the redirect to the original URL.
import { createHmac, randomBytes } from "node:crypto";
import type { Db } from "@mkt-x/db";

const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;
const ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export function newLinkCode(length = 9): string {
  const bytes = randomBytes(length);
  let code = "";
  for (const b of bytes) code += ALPHABET[b % ALPHABET.length];
  return code;
}

export interface ShortLinkRow {
  code: string;
  url: string;
  recipientId: string;
}

/** Rewrites every http(s) URL in `text`; the rows to store come back beside the new text. */
export function rewriteLinks(text: string, publicBaseUrl: string, recipientId: string): { text: string; links: ShortLinkRow[] } {
  const links: ShortLinkRow[] = [];
  const rewritten = text.replace(URL_RE, (url) => {
    const code = newLinkCode();
    links.push({ code, url, recipientId });
    return `${publicBaseUrl.replace(/\/$/, "")}/r/${code}`;
  });
  return { text: rewritten, links };
}

/** A click: counted on the link and on its recipient (first click), then where to send the person. */
export async function followShortLink(db: Db, code: string, opts: { visitor: string; now?: Date }): Promise<string | null> {
  if (!/^[A-Za-z0-9]{4,32}$/.test(code)) return null;
  const now = opts.now ?? new Date();
  // one statement: the visit is recorded once per visitor, and only a new visitor counts a click
  const rows = await db.$queryRaw<{ url: string; recipient_id: string | null; fresh: boolean }[]>`
    WITH link AS (
      SELECT id, url, recipient_id FROM short_links WHERE code = ${code}
    ), visit AS (
      INSERT INTO short_link_visitors (link_id, visitor, at) SELECT id, ${opts.visitor}, ${now} FROM link
      ON CONFLICT DO NOTHING RETURNING link_id
    ), counted AS (
      UPDATE short_links SET clicks = clicks + 1 WHERE id IN (SELECT link_id FROM visit) RETURNING id
    )
    SELECT url, recipient_id, EXISTS (SELECT 1 FROM counted) AS fresh FROM link`;
  const link = rows[0];
  if (!link) return null;
  if (link.recipient_id && link.fresh) await db.$executeRaw`UPDATE campaign_recipients SET clicked_at = COALESCE(clicked_at, ${now}) WHERE id = ${link.recipient_id}::uuid`;
  return link.url;
}

/** Who is visiting, as stored: a keyed hash of the address and the user agent (no address is kept). */
export function shortLinkVisitor(key: string, address: string, userAgent: string | undefined): string {
  return createHmac("sha256", key).update(`${address}\n${userAgent ?? ""}`).digest("base64url").slice(0, 22);
}
