// A bare static server for the bench pages (plain .mjs: Node 20 cannot import src/build/serve.ts).
import {createReadStream, statSync} from "node:fs";
import {createServer} from "node:http";
import {join} from "node:path";

const types = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".svg": "image/svg+xml"};

/** Serves `dir` on 127.0.0.1 at a free port; resolves to its origin and a close(). */
export async function serveDir(dir) {
  const server = createServer((req, res) => {
    let file = join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname));
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      res.writeHead(200, {"content-type": types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream", "content-length": statSync(file).size});
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  }).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close() {
      server.closeAllConnections();
      server.close();
    }
  };
}
