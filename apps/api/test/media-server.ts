// A local web server with the media an agent might attach: a real PNG, GIF and MP4 header, a page
// that is not media, bytes that lie about their type, an image over X's 5 MB limit (streamed,
// without Content-Length), a redirect and a 404. Counts requests per path.
import http from "node:http";
import { createHash } from "node:crypto";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
export const PHOTO = Buffer.concat([PNG_SIGNATURE, Buffer.alloc(300_000, 3)]);
export const GIF = Buffer.concat([Buffer.from("GIF89a", "latin1"), Buffer.alloc(2000, 4)]);
export const MP4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypmp42", "latin1"), Buffer.alloc(5000, 5)]);
export const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

export interface MediaServer {
  url: string;
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startMediaServer(): Promise<MediaServer> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const send = (type: string, body: Buffer) => {
      res.writeHead(200, { "content-type": type, "content-length": String(body.length) });
      res.end(body);
    };
    switch (path) {
      case "/photo.png":
        return send("image/png", PHOTO);
      case "/loop.gif":
        return send("image/gif", GIF);
      case "/clip.mp4":
        return send("video/mp4", MP4);
      case "/page.html":
        return send("text/html; charset=utf-8", Buffer.from("<!doctype html><p>not an image</p>"));
      case "/liar.png":
        return send("image/png", Buffer.from("this is text pretending to be a PNG"));
      case "/huge.png": {
        // over 5 MB, streamed without a length: the fetch must cut it off itself
        res.writeHead(200, { "content-type": "image/png" });
        res.write(PNG_SIGNATURE);
        const chunk = Buffer.alloc(256 * 1024, 1);
        let sent = 0;
        const more = () => {
          while (sent < 6 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", more);
          }
          res.end();
        };
        res.on("error", () => {});
        return more();
      }
      case "/moved.png":
        res.writeHead(302, { location: "/photo.png" });
        return res.end();
      default:
        res.writeHead(404, { "content-type": "text/plain" });
        return res.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: (path) => hits.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
