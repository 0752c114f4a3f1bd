// A bare static server for the bench pages (plain .mjs: Node 20 cannot import src/build/serve.ts).
import {createReadStream, existsSync, readdirSync, statSync} from "node:fs";
import {createServer} from "node:http";
import {join} from "node:path";
import {cacheControl} from "../src/build/content-named.mjs";

const types = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".svg": "image/svg+xml"};

/** Serves `dir` on 127.0.0.1 at a free port; resolves to its origin and a close(). `onFile`, when
 *  given, hears the path of every file served (a page's and its workers' requests alike; files
 *  named by their content are sent to be cached for good, so a second request is a real miss);
 *  `isolated` adds COOP/COEP to every response, so pages are cross-origin isolated. */
export async function serveDir(dir, {onFile, isolated = false} = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = join(dir, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      onFile?.(file);
      res.writeHead(200, {
        "content-type": types[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream", "content-length": statSync(file).size,
        // As `npm start` sends them, and any host that keeps content-named files.
        "cache-control": cacheControl(path),
        ...(isolated ? {"cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp"} : {})
      });
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

/**
 * The site a bench measures: `given` (its --site), else the course built afresh into a temp
 * folder. Resolves to {site, cleanup()}, or null (after saying why) when the build fails.
 */
export async function siteForBench(given, name) {
  if (given) return {site: given, cleanup() {}};
  const {mkdtempSync, rmSync} = await import("node:fs");
  const {tmpdir} = await import("node:os");
  const {spawnSync} = await import("node:child_process");
  const work = mkdtempSync(join(tmpdir(), `lectern-bench-${name}-`));
  const site = join(work, "site");
  const built = spawnSync(process.execPath, ["build.mjs", "--out", site], {encoding: "utf8"});
  if (built.status !== 0) {
    console.log(`build failed: ${built.stderr}`);
    rmSync(work, {recursive: true, force: true});
    return null;
  }
  return {site, cleanup: () => rmSync(work, {recursive: true, force: true})};
}

/** What starts training on a course page: the perceptron's Train buttons, every trainer widget's ▶. */
export const TRAINING_CONTROLS = '[data-cell] button:is(:text-matches("^Train", "i")), [data-cell] .lt-play';

/** The built site's pages (folders with an index.html), by slug, sorted. */
export function sitePages(site) {
  return readdirSync(site).filter((d) => d !== "assets" && existsSync(join(site, d, "index.html"))).sort();
}

/** Waits until a page's runtime is ready and no cell is pending. */
export function pageSettled(page) {
  return page.waitForFunction(() => document.documentElement.dataset.lectern === "ready" && !document.querySelector('[data-cell][data-state="pending"]'), null, {timeout: 120_000});
}
