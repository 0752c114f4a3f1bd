import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {existsSync} from "node:fs";
import puppeteer, {type Browser} from "puppeteer-core";
import {buildSite, type Site} from "./harness.js";

// Cross-browser smoke test: the same fixture page in Firefox ESR, driven over WebDriver BiDi.
const FIREFOX = "/usr/bin/firefox-esr";
const installed = existsSync(FIREFOX);
/** Printed in the run's last lines by the summary reporter (a skip note). */
export const SKIP_NOTE = "Firefox test skipped: firefox-esr not installed — `.ci/run` installs it";
let site: Site;
let browser: Browser;

// Firefox comes from Debian (`.ci/run` installs it; CI sets CI=1 and fails without it). On a
// machine without it the test is skipped, with a note the summary prints at the end of the run.
describe("Firefox smoke test", () => {
  beforeAll(async () => {
    if (!installed && !process.env.CI) return;
    if (!installed) throw new Error("Firefox ESR is missing: run `apt-get install -y firefox-esr` (as root), or `.ci/run`, which installs it");
    [site, browser] = await Promise.all([
      buildSite({notebooks: "test/fixtures/basic"}),
      puppeteer.launch({browser: "firefox", executablePath: FIREFOX, headless: true})
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it("the fixture page runs every cell and its slider drives its dependents", async (ctx) => {
    if (!installed) ctx.skip(SKIP_NOTE);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(site.url + "runtime/");
    await page.waitForFunction(() => document.documentElement.dataset.lectern === "ready" && !document.querySelector('[data-cell][data-state="pending"]'), {timeout: 30_000});
    const states = await page.$$eval("[data-cell]", (els) => els.map((e) => (e as HTMLElement).dataset.state));
    expect(states.filter((s) => s === "rejected")).toEqual([]);
    await page.$eval('[data-cell="slider"] input[type=range]', (el) => {
      (el as HTMLInputElement).value = "42";
      el.dispatchEvent(new Event("input", {bubbles: true}));
    });
    await page.waitForFunction(() => document.querySelector('[data-cell="doubled"] .cell-output')?.textContent === "84", {timeout: 10_000});
    expect(errors).toEqual([]);
    await page.close();
  });
});
