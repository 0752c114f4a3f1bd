import {createServer, type Server} from "node:http";
import {createReadStream, statSync} from "node:fs";
import {join, normalize, extname} from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".wasm": "application/wasm",
  ".woff2": "font/woff2", ".bin": "application/octet-stream", ".txt": "text/plain; charset=utf-8"
};

export interface ServeOptions {
  dir: string;
  port?: number;
  host?: string;
  /** Extra headers on every response (e.g. COOP/COEP to try threaded wasm). */
  headers?: Record<string, string>;
}

/** A static file server for the built site: what any static host would do, on localhost. */
export function serve({dir, port = 3000, host = "127.0.0.1", headers = {}}: ServeOptions): Promise<{server: Server; url: string}> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(normalize(dir))) return void res.writeHead(403).end();
    try {
      if (statSync(file).isDirectory()) {
        if (!path.endsWith("/")) return void res.writeHead(301, {location: `${path}/`}).end();
        file = join(file, "index.html");
      }
      const stat = statSync(file);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "content-length": stat.size,
        "cache-control": /-[0-9a-f]{8,}\.\w+$/.test(file) ? "public, max-age=31536000, immutable" : "no-cache",
        ...headers
      });
      if (req.method === "HEAD") return void res.end();
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, {"content-type": "text/html; charset=utf-8", ...headers});
      createReadStream(join(dir, "404.html")).on("error", () => res.end("Not found")).pipe(res);
    }
  });
  return new Promise((resolve, reject) => {
    const tryListen = (p: number, attempts: number) => {
      server.once("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "EADDRINUSE" && attempts > 0) tryListen(p + 1, attempts - 1);
        else reject(error);
      });
      server.listen(p, host, () => {
        const address = server.address();
        const actual = typeof address === "object" && address ? address.port : p;
        resolve({server, url: `http://${host}:${actual}/`});
      });
    };
    tryListen(port, port === 0 ? 0 : 20);
  });
}
