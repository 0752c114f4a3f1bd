import {createServer, type Server, type ServerResponse} from "node:http";
import {createReadStream, statSync} from "node:fs";
import {join, normalize, extname, sep} from "node:path";
import {cacheControl} from "./content-named.mjs";

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

/**
 * Sends `dir/name` if it is a file inside dir; returns false (having sent nothing) if there is none.
 * Files named by their content (`name-<hash>.ext`, or any file in a `name-<hash>/` folder such as
 * tfjs's wasm binaries) may be cached for good; others are revalidated.
 */
export function sendFile(res: ServerResponse, dir: string, name: string, {head = false, headers = {}}: {head?: boolean; headers?: Record<string, string>} = {}): boolean {
  const root = normalize(dir);
  const file = normalize(join(root, name));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return false;
    size = stat.size;
  } catch {
    return false;
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": size,
    "cache-control": cacheControl(name),
    ...headers
  });
  if (head) res.end();
  else createReadStream(file).pipe(res);
  return true;
}

/** Listens on `port`, or the next free one of 20 (0: any); resolves with the URL. */
export function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const attempt = (p: number, left: number) => {
      server.once("error", (error: NodeJS.ErrnoException) => {
        if (error.code === "EADDRINUSE" && left > 0) attempt(p + 1, left - 1);
        else reject(error);
      });
      server.listen(p, host, () => {
        const address = server.address();
        resolve(`http://${host}:${typeof address === "object" && address ? address.port : p}/`);
      });
    };
    attempt(port, port === 0 ? 0 : 20);
  });
}

/** A static file server for the built site: what any static host would do, on localhost. */
export async function serve({dir, port = 3000, host = "127.0.0.1", headers: extra = {}}: ServeOptions): Promise<{server: Server; url: string}> {
  // <lectern-cell> embeds load the site's modules, data and wasm from other origins: allow it (README, "Embedding cells").
  const headers = {"access-control-allow-origin": "*", "cross-origin-resource-policy": "cross-origin", ...extra};
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const head = req.method === "HEAD";
    if (path.endsWith("/") ? sendFile(res, dir, join(path, "index.html"), {head, headers}) : sendFile(res, dir, path, {head, headers})) return;
    try {
      if (statSync(join(dir, path)).isDirectory()) return void res.writeHead(301, {location: `${path}/`, ...headers}).end();
    } catch {
      // Not a folder either: a 404 below.
    }
    res.writeHead(404, {"content-type": "text/html; charset=utf-8", ...headers});
    createReadStream(join(dir, "404.html")).on("error", () => res.end("Not found")).pipe(res);
  });
  return {server, url: await listen(server, port, host)};
}
