import {chromium} from "playwright-core";
import {createServer} from "node:http";
import {readFileSync, existsSync, statSync} from "node:fs";
import {join, extname} from "node:path";
const dir = process.argv[2];
const types = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"};
const server = createServer((req, res) => {
  let p = join(dir, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (existsSync(p) && statSync(p).isDirectory()) p = join(p, "index.html");
  if (!existsSync(p)) return res.writeHead(404).end();
  res.writeHead(200, {"content-type": types[extname(p)] ?? "application/octet-stream"}).end(readFileSync(p));
}).listen(0);
const url = `http://127.0.0.1:${server.address().port}/editing/`;
const browser = await chromium.launch({executablePath: "/usr/bin/chromium", args: ["--no-sandbox"]});
for (const [scheme, width] of [["dark", 1100], ["light", 375]]) {
  const ctx = await browser.newContext({colorScheme: scheme, viewport: {width, height: 900}});
  const page = await ctx.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.lectern === "ready");
  await page.click('[data-cell="base"] > .cell-edit');
  await page.click('[data-cell="base"] .cm-content');
  await page.keyboard.press("Control+A");
  await page.keyboard.type("// a student's edit\nconst a = 5;");
  await page.keyboard.press("Shift+Enter");
  await page.click('[data-cell="shape"] button:text("Check")');
  await page.waitForSelector('[data-cell="shape"] .exercise-result[data-verdict]');
  await page.click('[data-cell="shape"] button:text("Show hint 1 of 2")');
  await page.click('[data-cell="shape"] button:text("Show solution")');
  await page.waitForTimeout(500);
  await page.locator('[data-cell="base"]').screenshot({path: `/tmp/shot-${scheme}-${width}-edited.png`});
  await page.locator('[data-cell="shape"]').screenshot({path: `/tmp/shot-${scheme}-${width}-exercise.png`});
  await ctx.close();
}
await browser.close();
server.close();
