// Save-to-update time of the live preview: from writing a notebook (or a cells/ module) to the
// changed cell's new output being in the page, median of several edits. Runs `npm run dev` on a
// temp copy of test/fixtures/preview-course and watches the page in Chromium.
import {chromiumLaunchOptions} from "../test/browser/chromium.mjs";
import {spawn} from "node:child_process";
import {copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {dirname, join} from "node:path";
import {fileURLToPath} from "node:url";
import {chromium} from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const EDITS = 15;
const course = mkdtempSync(join(tmpdir(), "lectern-bench-preview-"));
cpSync(join(root, "test/fixtures/preview-course"), course, {recursive: true});
copyFileSync(join(root, "package.json"), join(course, "package.json"));
symlinkSync(join(root, "node_modules"), join(course, "node_modules"), "dir");

const server = spawn(process.execPath, [join(root, "build.mjs"), "dev", "--port", "0"], {cwd: course, stdio: ["ignore", "pipe", "inherit"]});
let browser;
try {
  const url = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = /Previewing the course at (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`npm run dev stopped (${code}):\n${out}`)));
  });
  browser = await chromium.launch(chromiumLaunchOptions(["--headless", "--no-sandbox", "--disable-gpu"]));
  const page = await browser.newPage();
  await page.goto(`${url}lab/`);
  await page.waitForFunction(() => document.documentElement.dataset.lectern === "ready" && !document.querySelector('[data-cell][data-state="pending"]'));
  // The page notes, on the shared clock, when each cell's output first shows a given text.
  await page.evaluate(() => {
    window.__seen = {};
    new MutationObserver(() => {
      for (const el of document.querySelectorAll("[data-cell] > .cell-output")) {
        const text = el.textContent;
        if (!(text in window.__seen)) window.__seen[text] = performance.timeOrigin + performance.now();
      }
    }).observe(document.body, {subtree: true, childList: true, characterData: true});
  });
  const now = () => performance.timeOrigin + performance.now();

  async function measure(file, edit, expected) {
    const times = [];
    for (let i = 0; i < EDITS; ++i) {
      const path = join(course, file);
      const text = readFileSync(path, "utf8");
      const started = now();
      writeFileSync(path, edit(text, i));
      const want = expected(i);
      await page.waitForFunction((t) => t in window.__seen, want, {timeout: 10_000, polling: 20});
      times.push((await page.evaluate((t) => window.__seen[t], want)) - started);
      await page.waitForTimeout(150); // separate saves, as a person would make them
    }
    times.sort((a, b) => a - b);
    return `median ${times[EDITS >> 1].toFixed(0)} ms of ${EDITS} (min ${times[0].toFixed(0)}, max ${times[EDITS - 1].toFixed(0)})`;
  }

  const notebook = await measure("notebooks/lab.md", (text, i) => text.replace(/"label v\d+"/, `"label v${100 + i}"`), (i) => `label v${100 + i}`);
  console.log(`preview, save a notebook → the changed cell's new output in the page: ${notebook}`);
  const module = await measure("cells/greet.ts", (text, i) => text.replace(/(Hello|Hi \d+)/, `Hi ${i}`), (i) => `Hi ${i}, Ada`);
  console.log(`preview, save a cells/ module → its importer's new output in the page: ${module}`);
} finally {
  await browser?.close();
  server.kill("SIGTERM");
  rmSync(course, {recursive: true, force: true});
}
