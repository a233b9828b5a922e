// A small Server-Sent Events reader for tests: fetch with the bearer header, frames parsed as they
// arrive, waits on what arrives (never on time).
export interface SseMessage {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

export interface SseStream {
  status: number;
  headers: Headers;
  /** the whole body when the answer was not a stream (an error envelope) */
  body: unknown;
  messages: SseMessage[];
  comments: string[];
  /** resolves with the n-th message (1-based) once it has arrived */
  nth(n: number): Promise<SseMessage>;
  /** resolves once a message matches */
  next(match: (m: SseMessage) => boolean): Promise<SseMessage>;
  /** resolves once a comment line matches */
  comment(match: (c: string) => boolean): Promise<string>;
  /** resolves when the server ends the stream */
  ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, opts: { token?: string | null; lastEventId?: string } = {}): Promise<SseStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: "text/event-stream" };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.lastEventId !== undefined) headers["last-event-id"] = opts.lastEventId;
  const res = await fetch(url, { headers, signal: controller.signal });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const waitFor = <T>(check: () => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      const look = () => {
        const found = check();
        if (found !== undefined) {
          waiters.delete(look);
          resolve(found);
        } else if (done) {
          waiters.delete(look);
          reject(new Error(`stream ended; got ${JSON.stringify(messages.map((m) => m.event))}`));
        }
      };
      waiters.add(look);
      look();
    });
  let done = false;
  let endedResolve: () => void = () => {};
  const ended = new Promise<void>((resolve) => (endedResolve = resolve));
  const stream = res.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
  let body: unknown = null;
  if (!stream) {
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
    done = true;
    endedResolve();
  } else {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        const reader = res.body?.getReader();
        for (let read = await reader?.read(); reader && read && !read.done; read = await reader.read()) {
          buffer += decoder.decode(read.value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const m: SseMessage = { id: undefined, event: undefined, data: "" };
            let hasData = false;
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) comments.push(line.slice(1).trim());
              else if (line.startsWith("id: ")) m.id = line.slice(4);
              else if (line.startsWith("event: ")) m.event = line.slice(7);
              else if (line.startsWith("data: ")) {
                m.data += (hasData ? "\n" : "") + line.slice(6);
                hasData = true;
              }
            }
            if (hasData) messages.push(m);
          }
          notify();
        }
      } catch {
        // aborted or cut by the server
      }
      done = true;
      notify();
      endedResolve();
    })();
  }
  return {
    status: res.status,
    headers: res.headers,
    body,
    messages,
    comments,
    nth: (n) => waitFor(() => messages[n - 1]),
    next: (match) => waitFor(() => messages.find(match)),
    comment: (match) => waitFor(() => comments.find(match)),
    ended,
    close: () => controller.abort(),
  };
}

/** The LiveEvent a message carries. */
export const eventOf = (m: SseMessage) => JSON.parse(m.data) as { id: string; type: string; at: string; data: Record<string, unknown> };
