import {chromium} from "playwright-core";
import {createServer} from "node:http";
import {readFileSync, existsSync, statSync} from "node:fs";
import {gzipSync} from "node:zlib";
import {join, extname} from "node:path";
const dir = process.argv[2];
const types = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml", ".wasm": "application/wasm", ".woff2": "font/woff2", ".json": "application/json", ".bin": "application/octet-stream"};
const server = createServer((req, res) => {
  let p = join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (existsSync(p) && statSync(p).isDirectory()) p = join(p, "index.html");
  if (!existsSync(p)) return res.writeHead(404).end();
  res.writeHead(200, {"content-type": types[extname(p)] ?? "application/octet-stream"}).end(readFileSync(p));
}).listen(0);
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({executablePath: "/usr/bin/chromium", args: ["--no-sandbox"]});
const page = await browser.newPage();
let files = [];
page.on("request", (r) => files.push(new URL(r.url()).pathname));
await page.goto(url + (process.argv[3] ?? "perceptron/"));
await page.waitForFunction(() => document.documentElement.dataset.lectern === "ready");
await page.waitForTimeout(4000);
const before = new Set(files);
const gz = (f) => gzipSync(readFileSync(join(dir, f))).length;
console.log("page JS gz before editing:", [...before].filter((f) => f.endsWith(".js")).reduce((s, f) => s + gz(f), 0));
files = [];
const id = process.argv[4] ?? "surface";
const t0 = Date.now();
await page.click(`[data-cell="${id}"] > .cell-edit`);
await page.waitForSelector(`[data-cell="${id}"] .cm-content`);
console.log("editor open ms", Date.now() - t0);
const added = files.filter((f) => !before.has(f));
console.log("added files:", added.map((f) => `${f} ${gz(f)}`));
console.log("added gz total:", added.reduce((s, f) => s + gz(f), 0));
// Time from Run to new output on a simple cell.
const times = await page.evaluate(async (id) => {
  const out = [];
  for (let i = 0; i < 5; ++i) {
    const root = document.querySelector(`[data-cell="${id}"]`);
    const t = performance.now();
    root.querySelector(".cell-run").click();
    await new Promise((resolve) => {
      const check = () => (root.dataset.state === "fulfilled" ? resolve() : requestAnimationFrame(check));
      requestAnimationFrame(check);
    });
    out.push(Math.round(performance.now() - t));
  }
  return out;
}, id);
console.log("run→output ms", times);
await browser.close();
server.close();
