import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {createServer, type Server} from "node:http";
import type {Browser, BrowserContext, Frame, Page} from "playwright-core";
import {buildSite, launch, type Site} from "./harness.js";
import {listen} from "../../src/build/serve.js";

// A course page on a second origin embeds fixture cells (test/fixtures/embed): two by iframe from
// different lessons, one by <lectern-cell>. Each fixture cell pushes its id to globalThis.__ran.

let site: Site;
let browser: Browser;
let host: Server;
let hostURL: string;
const pages = new Map<string, string>();

beforeAll(async () => {
  [site, browser] = await Promise.all([buildSite({notebooks: "test/fixtures/embed"}), launch()]);
  host = createServer((req, res) => {
    const body = pages.get(new URL(req.url ?? "/", "http://x").pathname);
    res.writeHead(body ? 200 : 404, {"content-type": "text/html; charset=utf-8"});
    res.end(body ?? "not found");
  });
  hostURL = await listen(host, 0, "127.0.0.1");
  expect(new URL(hostURL).origin).not.toBe(new URL(site.url).origin);
  const S = site.url;
  const listener = (frame: string) => `<script>addEventListener("message", (event) => {
  const frame = document.getElementById("${frame}");
  if (!frame || event.source !== frame.contentWindow) return;
  const data = event.data;
  if (data && data.type === "lectern:height" && Number.isFinite(data.height)) frame.style.height = Math.ceil(data.height) + "px";
});</script>`;
  pages.set("/host.html", `<!doctype html><html lang="en"><meta charset="utf-8"><title>Host</title><link rel="icon" href="data:,">
<body style="font-family:sans-serif;max-width:40rem;margin:1rem auto">
<h1>A course page on another origin</h1>
<iframe id="f-rows" src="${S}embed/alpha/rows.html?with=n" title="rows" style="width:100%;height:50px;border:0"></iframe>${listener("f-rows")}
<iframe id="f-shout" src="${S}embed/beta/shout.html?with=word&theme=dark" title="shout" style="width:100%;height:50px;border:0"></iframe>${listener("f-shout")}
<script src="${S}embed.js"></script>
<lectern-cell id="c-double" src="${S}alpha#double" with="n"></lectern-cell>
<lectern-cell id="c-rows" src="${S}alpha#rows" theme="dark"></lectern-cell>
</body></html>`);
  pages.set("/missing.html", `<!doctype html><html lang="en"><meta charset="utf-8"><title>Missing</title><link rel="icon" href="data:,">
<iframe id="f-missing" src="${S}embed/alpha/#nope" title="missing"></iframe>
<script src="${S}embed.js"></script>
<lectern-cell id="c-missing" src="${S}beta#nope"></lectern-cell></html>`);
  const evil = `<img src=x onerror="window.__pwned=1">`;
  pages.set("/crafted.html", `<!doctype html><html lang="en"><meta charset="utf-8"><title>Crafted</title><link rel="icon" href="data:,">
<iframe id="f-a" src="${S}embed/alpha/rows.html?with=${encodeURIComponent(evil)}&theme=${encodeURIComponent("<script>window.__pwned=1</script>")}" title="a"></iframe>
<iframe id="f-b" src="${S}embed/alpha/#${encodeURIComponent(evil)}" title="b"></iframe>
<script src="${S}embed.js"></script>
<lectern-cell id="c-evil" src="${S}alpha#${encodeURIComponent(evil)}" with="${evil.replace(/"/g, "&quot;").replace(/</g, "&lt;")}"></lectern-cell></html>`);
});
afterAll(async () => {
  await browser?.close();
  host?.closeAllConnections?.();
  await new Promise((r) => host?.close(() => r(undefined)));
  await site?.close();
});

interface Opened {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

async function open(path: string): Promise<Opened> {
  const context = await browser.newContext({viewport: {width: 900, height: 1200}});
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}`));
  page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(hostURL + path.slice(1));
  return {context, page, problems};
}

function frameOf(page: Page, part: string): Frame {
  const frame = page.frames().find((f) => f.url().includes(part));
  if (!frame) throw new Error(`no frame ${part}`);
  return frame;
}

async function settled(frame: Frame | Page): Promise<void> {
  await frame.waitForFunction(() => document.documentElement.dataset.lectern === "ready" && !document.querySelector('[data-cell][data-state="pending"]'), null, {timeout: 30_000});
}

describe("embedding cells in a page on another origin", () => {
  it("runs two iframe embeds of different lessons and a <lectern-cell>, each answering its input, with only the closure evaluated", async () => {
    const {context, page, problems} = await open("/host.html");
    const rows = frameOf(page, "embed/alpha/rows.html");
    const shout = frameOf(page, "embed/beta/shout.html");
    await Promise.all([settled(rows), settled(shout)]);
    expect(await rows.$$eval("ol.rows li", (l) => l.length)).toBe(3);
    expect(await shout.$eval(".shout", (e) => e.textContent)).toBe("HELLO!");
    // Only the closure ran: the slider and the rows, never the unrelated cells.
    expect((await rows.evaluate(() => (globalThis as any).__ran)).sort()).toEqual(["n", "rows"]);
    expect((await shout.evaluate(() => (globalThis as any).__ran)).sort()).toEqual(["shout", "word"]);
    expect(await shout.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");

    // The iframe grows with its content: the host's listener sets the posted height.
    await page.waitForFunction(() => parseFloat(document.getElementById("f-rows")!.style.height) > 60);
    const before = await page.$eval("#f-rows", (f) => (f as HTMLElement).getBoundingClientRect().height);
    await rows.$eval("input[type=range]", (el) => {
      (el as HTMLInputElement).value = "25";
      el.dispatchEvent(new Event("input", {bubbles: true}));
    });
    await rows.waitForFunction(() => document.querySelectorAll("ol.rows li").length === 25);
    await page.waitForFunction((h) => document.getElementById("f-rows")!.getBoundingClientRect().height > h + 200, before);
    const inner = await rows.evaluate(() => document.documentElement.getBoundingClientRect().height);
    const outer = await page.$eval("#f-rows", (f) => (f as HTMLElement).getBoundingClientRect().height);
    expect(Math.abs(outer - inner)).toBeLessThan(2);

    await shout.fill("input[type=text]", "embed");
    await shout.waitForFunction(() => document.querySelector(".shout")?.textContent === "EMBED!");

    // The web component: in a shadow root, cross-origin, its slider drives its cell.
    await page.waitForFunction(() => document.querySelector("lectern-cell")?.shadowRoot?.querySelector(".double")?.textContent === "twice: 6");
    await page.locator("#c-double input[type=range]").evaluate((el) => {
      (el as HTMLInputElement).value = "7";
      el.dispatchEvent(new Event("input", {bubbles: true}));
    });
    await page.waitForFunction(() => document.querySelector("lectern-cell")?.shadowRoot?.querySelector(".double")?.textContent === "twice: 14");
    // The second element of the same lesson shares the runtime: the slider above drives its rows too.
    await page.waitForFunction(() => document.querySelector("#c-rows")?.shadowRoot?.querySelectorAll("ol.rows li").length === 7);
    expect([...new Set(await page.evaluate(() => (globalThis as any).__ran as string[]))].sort()).toEqual(["double", "n", "rows"]);
    expect(await page.evaluate(() => performance.getEntriesByType("resource").filter((e) => /embed-alpha-\w+\.js$/.test(e.name)).length)).toBe(1);
    expect(await page.locator("#c-double [data-cell=double]").getAttribute("data-state")).toBe("fulfilled");
    expect(problems).toEqual([]);
    await page.screenshot({path: "/tmp/embed-host.png", fullPage: true}).catch(() => {});
    await context.close();
  }, 90_000);

  it("says which cell is missing for an unknown id, by iframe and by element", async () => {
    const {context, page} = await open("/missing.html");
    const frame = frameOf(page, "embed/alpha/");
    await frame.waitForSelector(".embed-missing");
    expect(await frame.$eval(".embed-missing", (e) => e.textContent)).toBe("no cell nope in alpha");
    await page.waitForFunction(() => document.querySelector("lectern-cell")?.shadowRoot?.querySelector(".embed-missing")?.textContent === "no cell nope in beta");
    expect(await frame.evaluate(() => (globalThis as any).__ran)).toBeUndefined();
    await context.close();
  }, 60_000);

  it("executes and inserts nothing from crafted ?with=, ?theme= or #id", async () => {
    const {context, page} = await open("/crafted.html");
    const a = frameOf(page, "rows.html");
    const b = frameOf(page, "embed/alpha/#");
    await settled(a);
    await b.waitForSelector(".embed-missing");
    await page.waitForFunction(() => !!document.querySelector("lectern-cell")?.shadowRoot?.querySelector(".embed-missing"));
    await page.waitForTimeout(500);
    for (const f of [page.mainFrame(), a, b]) {
      expect(await f.evaluate(() => (window as any).__pwned)).toBeUndefined();
      expect(await f.evaluate(() => document.querySelectorAll("img").length)).toBe(0);
    }
    expect(await a.evaluate(() => document.documentElement.dataset.theme)).toBeUndefined();
    expect(await b.$eval(".embed-missing", (e) => e.textContent)).toBe(`no cell <img src=x onerror="window.__pwned=1"> in alpha`);
    expect(await page.locator("#c-evil .embed-missing").textContent()).toContain("no cell <img");
    expect(await page.locator("#c-evil img").count()).toBe(0);
    await context.close();
  }, 60_000);
});

describe("a real course's trainer embedded on another origin", () => {
  let real: Site;
  beforeAll(async () => {
    real = await buildSite();
  }, 120_000);
  afterAll(async () => {
    await real?.close();
  });

  it("a lesson page offers Embed under each cell that shows something, not under cells that only define values; its iframe snippet loads", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${real.url}rnn/`);
    // The first screen's cells have run and shown their output (src/client/first-screen.ts).
    await page.waitForFunction(() => document.documentElement.dataset.firstScreen === "done", null, {timeout: 60_000});
    const controls = await page.$$eval("[data-cell][data-embed] + details.embed-control", (ds) => ds.map((d) => ({
      cell: (d.previousElementSibling as HTMLElement).dataset.cell,
      empty: !(d.previousElementSibling as HTMLElement).querySelector(".cell-output")?.childNodes.length,
      shown: getComputedStyle(d).display !== "none"
    })));
    expect(controls.find((c) => c.cell === "demo")).toEqual({cell: "demo", empty: true, shown: false});
    expect(controls.filter((c) => c.shown !== !c.empty)).toEqual([]);
    expect(controls.some((c) => c.shown)).toBe(true);
    // A cell further down shows its output once reached, and its control with it.
    const details = page.locator('[data-cell="t"] + details.embed-control');
    await details.scrollIntoViewIfNeeded();
    await details.locator("summary").waitFor({state: "visible"});
    await details.locator("summary").click();
    const snippet = await details.locator("textarea").first().inputValue();
    const src = snippet.match(/src="([^"]+)"/)![1]!;
    expect(src).toBe(`${real.url}embed/rnn/t.html`);
    expect((await page.request.get(src)).status()).toBe(200);
    await context.close();
  }, 120_000);

  it("matmul-shapes' digit trainer in a <lectern-cell> trains in a worker from the site's origin: the loss falls", async () => {
    pages.set("/trainer.html", `<!doctype html><html lang="en"><meta charset="utf-8"><title>Trainer</title><link rel="icon" href="data:,">
<body style="max-width:44rem;margin:1rem auto"><script src="${real.url}embed.js"></script>
<lectern-cell src="${real.url}matmul-shapes#digit-trainer"></lectern-cell></body></html>`);
    const {context, page, problems} = await open("/trainer.html");
    const requests: string[] = [];
    const workers: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    page.on("worker", (w) => workers.push(w.url()));
    const trainer = page.locator("lectern-cell [data-cell=digit-trainer] .lectern-trainer");
    await page.locator("lectern-cell [data-cell=digit-trainer] .lt-play").click({timeout: 60_000});
    await page.waitForFunction(() => {
      const el = document.querySelector("lectern-cell")!.shadowRoot!.querySelector("[data-cell=digit-trainer] .lectern-trainer") as any;
      return (el?.value?.step ?? 0) >= 60;
    }, null, {timeout: 90_000, polling: 500});
    const snapshot = await trainer.evaluate((el: any) => ({history: el.value.history.map((p: {loss: number}) => p.loss), info: el.value.info}));
    expect(snapshot.history.at(-1)).toBeLessThan(snapshot.history[0] * 0.7);
    // In the worker (no main-thread fallback note), with its files from the site's origin.
    expect(JSON.stringify(snapshot.info)).not.toMatch(/main thread/);
    expect(workers.some((u) => u.startsWith("blob:"))).toBe(true); // the same-origin module that imports the site's worker
    expect(requests.filter((u) => u.startsWith(hostURL) && !u.endsWith("trainer.html"))).toEqual([]);
    await trainer.evaluate((el: any) => (el.querySelector(".lt-play") as HTMLButtonElement).click());
    expect(problems).toEqual([]);
    await page.screenshot({path: "/tmp/embed-trainer.png", fullPage: true}).catch(() => {});
    await context.close();
  }, 240_000);
});
