import {chromium, type Browser, type Page} from "playwright-core";
import {existsSync, mkdtempSync, rmSync} from "node:fs";
import {inject} from "vitest";
import {tmpdir} from "node:os";
import {join, resolve} from "node:path";
import type {Server} from "node:http";
import {build} from "../../src/build/build.js";
import {serve} from "../../src/build/serve.js";
import {CHROMIUM_ARGS, chromiumLaunchOptions} from "./chromium.mjs";

export const ROOT = resolve(import.meta.dirname, "../..");

export {CHROMIUM_ARGS};

export interface Site {
  url: string;
  dir: string;
  close(): Promise<void>;
}

/** Builds a course (the real one, or a fixture folder of notebooks) into a temp folder and serves it on 127.0.0.1.
 *  The real course is built once per `vitest run` (into the run's folder, see test/global-setup.ts)
 *  and each caller serves that build; fixtures are built per call. Close stops the server and
 *  removes what the call built. */
export async function buildSite({notebooks = "notebooks", keepGoing = false}: {notebooks?: string; keepGoing?: boolean} = {}): Promise<Site> {
  // The browser project's run folder (test/global-setup.ts); none in other projects.
  const runDir = notebooks === "notebooks" && !keepGoing ? inject("lecternRunDir") : undefined;
  const dir = runDir ?? mkdtempSync(join(tmpdir(), "lectern-site-"));
  const out = join(dir, "site");
  // The build puts site/ in place whole (by rename) or not at all, so its presence means built.
  if (!runDir || !existsSync(out)) {
    const result = await build({root: ROOT, notebooks, out, keepGoing});
    if (!result.pages.length) throw new Error(`build failed:\n${result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`).join("\n")}`);
  }
  const {server, url} = await serve({dir: out, port: 0});
  return {url, dir: out, close: () => closeServer(server).then(() => void (runDir || rmSync(dir, {recursive: true, force: true})))};
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((r) => server.close(() => r()));
}

/** Chromium with the tests' flags: Debian's when installed, else the one `npm ci` installed (see chromium.mjs). */
export async function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions([...CHROMIUM_ARGS, ...extraArgs]));
}

/** What a page did wrong while a test used it. */
export interface PageWatch {
  page: Page;
  consoleErrors: string[];
  /** Requests to anything but the local server: each one is a failure (nothing may load from another origin). */
  foreignRequests: string[];
  pageErrors: string[];
}

/**
 * Opens a page that fails requests to any origin other than the local server and records console
 * errors, uncaught exceptions and foreign requests for the test to assert on.
 */
export async function openPage(browser: Browser, url: string, options: {viewport?: {width: number; height: number}; colorScheme?: "light" | "dark"} = {}): Promise<PageWatch> {
  const context = await browser.newContext({viewport: options.viewport ?? {width: 1200, height: 900}, colorScheme: options.colorScheme});
  const page = await context.newPage();
  const watch: PageWatch = {page, consoleErrors: [], foreignRequests: [], pageErrors: []};
  const origin = new URL(url).origin;
  await context.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith("data:") || u.startsWith("blob:")) return route.continue();
    watch.foreignRequests.push(u);
    return route.abort();
  });
  page.on("console", (m) => {
    if (m.type() === "error") watch.consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => watch.pageErrors.push(e.message));
  await page.goto(url);
  return watch;
}

/**
 * What is wrong with a page a student would notice or a course page would suffer: rejected cells,
 * console errors, uncaught exceptions, requests to another origin. A healthy page gives [].
 */
export async function pageProblems(watch: PageWatch): Promise<string[]> {
  const states = await cellStates(watch.page);
  return [
    ...Object.entries(states).filter(([, s]) => s === "rejected").map(([id]) => `cell ${id} is rejected`),
    ...watch.consoleErrors.map((e) => `console error: ${e}`),
    ...watch.pageErrors.map((e) => `uncaught: ${e}`),
    ...watch.foreignRequests.map((u) => `request to another origin: ${u}`)
  ];
}

/** Waits until no cell is pending (running generators count as settled). */
export async function settle(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(() => document.documentElement.dataset.lectern === "ready" && !document.querySelector('[data-cell][data-state="pending"]'), null, {timeout});
}

export async function cellStates(page: Page): Promise<Record<string, string>> {
  return page.$$eval("[data-cell]", (els) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.cell!, (e as HTMLElement).dataset.state!])));
}

export async function cellText(page: Page, id: string): Promise<string> {
  return page.$eval(`[data-cell="${id}"]`, (e) => (e.querySelector(":scope > .cell-output") ?? e).textContent ?? "");
}

/** Sets an Inputs.range (or any input) by its label text and fires `input`, as a user's drag would. */
export async function setRange(page: Page, cellId: string, value: number): Promise<void> {
  await page.$eval(`[data-cell="${cellId}"] input[type=range]`, (el, v) => {
    const input = el as HTMLInputElement;
    input.value = String(v);
    input.dispatchEvent(new Event("input", {bubbles: true}));
  }, value);
}

/** A lesson of the real course, built, served and open in Chromium, settled: what a lesson's tests start from. */
export interface OpenLesson {
  site: Site;
  browser: Browser;
  watch: PageWatch;
  page: Page;
  close(): Promise<void>;
}

export async function openLesson(slug: string): Promise<OpenLesson> {
  const [site, browser] = await Promise.all([buildSite(), launch()]);
  const watch = await openPage(browser, `${site.url}${slug}/`);
  await settle(watch.page, 60_000);
  return {site, browser, watch, page: watch.page, close: () => browser.close().then(() => site.close())};
}

/** Waits until `predicate`, run in the page, resolves truthy. Unlike page.waitForFunction, which
 *  takes an async predicate's promise as truthy and returns at once, this awaits each answer. */
export async function waitUntil(page: Page, predicate: (arg: any) => unknown, arg?: unknown, {timeout = 30_000, polling = 250}: {timeout?: number; polling?: number} = {}): Promise<void> {
  const until = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    // A predicate that throws (a value not defined yet) counts as not yet true.
    try {
      if (await page.evaluate(predicate, arg)) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`waitUntil: not true after ${timeout} ms: ${String(predicate).slice(0, 200)}${last ? `; last error: ${String(last).slice(0, 300)}` : ""}`);
    await new Promise((r) => setTimeout(r, polling));
  }
}
