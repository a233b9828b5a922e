// Ids shaped like X's snowflakes (ms since X's epoch << 22), strictly increasing so event order
// can be compared the way X's ids can.
const TWITTER_EPOCH_MS = 1288834974657n;

export function createSnowflakeGenerator(now: () => number = Date.now): () => string {
  let last = 0n;
  return () => {
    let next = (BigInt(now()) - TWITTER_EPOCH_MS) << 22n;
    if (next <= last) next = last + 1n;
    last = next;
    return next.toString();
  };
}

/** X's conversation id for a one-to-one DM: both user ids, smaller first. */
export function dmConversationId(a: string, b: string): string {
  const numeric = /^\d+$/.test(a) && /^\d+$/.test(b);
  const aFirst = numeric ? BigInt(a) <= BigInt(b) : a <= b;
  return aFirst ? `${a}-${b}` : `${b}-${a}`;
}
