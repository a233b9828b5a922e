/**
 * Prisma passes `contains` to (I)LIKE as it is: escape LIKE's wildcards and its escape character,
 * so a search for "%" or "_" finds those characters instead of everything.
 */
export const likeLiteral = (s: string) => s.replace(/[\\%_]/g, "\\$&");
