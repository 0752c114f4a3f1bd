import {createServer, type IncomingMessage, type Server, type ServerResponse} from "node:http";
import {existsSync, readFileSync, watch, writeFileSync, type FSWatcher} from "node:fs";
import {join, relative, resolve} from "node:path";
import {saveCellInto} from "./save.js";
import {Preview, type PreviewOptions} from "./preview.js";
import {formatDiagnostic} from "../notebook/diagnostic.js";
import {sendFile, listen} from "../build/serve.js";

export interface PreviewServerOptions extends PreviewOptions {
  port?: number;
  host?: string;
  /** Wait this long after the last change event before updating (editors save in several writes). */
  debounce?: number;
  log?: (line: string) => void;
}

export interface PreviewServer {
  url: string;
  preview: Preview;
  server: Server;
  close(): Promise<void>;
}

/**
 * `npm run dev`: serves the course as `npm start` would, plus a live channel; watches notebooks/
 * and cells/ and sends each open page what changed.
 */
export async function startPreview(options: PreviewServerOptions): Promise<PreviewServer> {
  const log = options.log ?? (() => {});
  const preview = new Preview(options);
  await preview.start();
  const server = createServer((req, res) => {
    handle(preview, req, res, resolve(preview.root, options.notebooks ?? "notebooks")).catch((error) => {
      log(`preview: ${error instanceof Error ? error.stack : error}`);
      if (!res.headersSent) res.writeHead(500, {"content-type": "text/plain; charset=utf-8"});
      res.end(String(error));
    });
  });
  const url = await listen(server, options.port ?? 3000, options.host ?? "127.0.0.1");
  const watchers = watchCourse(preview, options.debounce ?? 20, log);
  return {
    url,
    preview,
    server,
    async close() {
      for (const w of watchers) w.close();
      await preview.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  };
}

async function handle(preview: Preview, req: IncomingMessage, res: ServerResponse, notebooksDir: string): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = decodeURIComponent(url.pathname);
  if (path === "/__lectern/events") {
    const state = String(req.headers["last-event-id"] ?? url.searchParams.get("state") ?? "");
    await preview.connect(req, res, url.searchParams.get("page") ?? "index", state);
    return;
  }
  if (path === "/__lectern/save" && req.method === "POST") {
    const result = await saveFromPage(preview.root, notebooksDir, await readBody(req));
    res.writeHead(result.status, {"content-type": "text/plain; charset=utf-8"}).end(result.message);
    return;
  }
  if (path.startsWith("/assets/")) {
    if (!sendFile(res, preview.assetsDir, path.slice("/assets/".length), {head: req.method === "HEAD"})) res.writeHead(404, {"content-type": "text/plain; charset=utf-8"}).end("Not found");
    return;
  }
  const m = /^\/(?:([a-z0-9][a-z0-9-]*)\/?)?(?:index\.html)?$/.exec(path);
  const slug = m ? m[1] ?? "index" : undefined;
  if (slug && slug !== "index" && !path.endsWith("/") && !path.endsWith(".html")) {
    res.writeHead(301, {location: `${path}/`}).end();
    return;
  }
  const html = slug ? await preview.html(slug) : undefined;
  if (html === undefined) {
    res.writeHead(404, {"content-type": "text/html; charset=utf-8"});
    res.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Not found</title><link rel="icon" href="data:,"><p>No notebook for <code>${path.replace(/[<&"]/g, "")}</code>. <a href="/">Go to the course home</a>.</p></html>\n`);
    return;
  }
  res.writeHead(200, {"content-type": "text/html; charset=utf-8", "cache-control": "no-cache"});
  res.end(html);
}

/** Watches notebooks/ and cells/; a burst of events (an editor's save) becomes one refresh. */
function watchCourse(preview: Preview, debounce: number, log: (line: string) => void): FSWatcher[] {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let shown = preview.diagnostics().map(formatDiagnostic).join("\n");
  const flush = async () => {
    const paths = [...pending];
    pending.clear();
    const {updated, ms} = await preview.refresh(paths);
    const problems = preview.diagnostics();
    const text = problems.map(formatDiagnostic).join("\n");
    const names = paths.map((p) => p.slice(preview.root.length + 1)).join(", ");
    if (updated.length) log(`${names}: updated ${updated.map((s) => (s === "index" ? "/" : `/${s}/`)).join(", ")} in ${ms.toFixed(0)} ms`);
    if (text !== shown) log(text ? `${text}\n${problems.length} problem${problems.length === 1 ? "" : "s"}` : "No problems.");
    shown = text;
  };
  const schedule = (dir: string) => (_event: string, name: string | Buffer | null) => {
    if (!name) return;
    const file = join(dir, name.toString());
    if (/(^|[\\/])(\.#|#)|~$|\.sw[a-z]$/.test(file)) return; // editors' lock and swap files
    pending.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => void flush().catch((error) => log(`preview: ${error instanceof Error ? error.stack : error}`)), debounce);
  };
  const watchers: FSWatcher[] = [];
  if (existsSync(preview.course.dir)) watchers.push(watch(preview.course.dir, schedule(preview.course.dir)));
  if (existsSync(preview.cellsDir)) watchers.push(watch(preview.cellsDir, {recursive: true}, schedule(preview.cellsDir)));
  return watchers;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body += chunk;
      if (body.length > 1_000_000) req.destroy(new Error("too large"));
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

/** An instructor's "Save to notebook": only a notebook under the course's root, only that cell's lines. */
async function saveFromPage(root: string, notebooksDir: string, body: string): Promise<{status: number; message: string}> {
  let request: {file?: unknown; id?: unknown; code?: unknown; base?: unknown};
  try {
    request = JSON.parse(body);
  } catch {
    return {status: 400, message: "could not read the request"};
  }
  const {file, id, code, base} = request;
  if (typeof file !== "string" || typeof id !== "string" || typeof code !== "string" || typeof base !== "string") return {status: 400, message: "a save needs file, id, code and base"};
  const path = resolve(root, file);
  const inside = relative(notebooksDir, path);
  if (!file.endsWith(".md") || inside.startsWith("..") || inside.includes("/") || !existsSync(path)) return {status: 403, message: `cannot save into ${file}: not a notebook of this course`};
  const result = saveCellInto(readFileSync(path, "utf8"), {file, id, code, base});
  if (!result.ok) return {status: result.status, message: result.message};
  writeFileSync(path, result.text);
  return {status: 200, message: result.message};
}
