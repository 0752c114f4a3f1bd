// Which files a page had loaded when its first screen was done (html[data-first-screen="done"],
// src/client/first-screen.ts), read in the page at that moment: the other cells start right after,
// and what they import is still in flight then, so not yet among the page's resource entries.
// Shared by the course test and bench/page-bytes.mjs.

/** Call before page.goto; the returned function resolves to the URL paths loaded by that moment. */
export async function watchFirstScreen(page) {
  await page.addInitScript(() => {
    const w = /** @type {any} */ (window);
    const take = () => document.documentElement?.dataset.firstScreen === "done" && !w.__upFront &&
      (w.__upFront = performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
    new MutationObserver(take).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-first-screen"]});
  });
  return async (timeout = 120_000) =>
    /** @type {string[]} */ (await (await page.waitForFunction(() => /** @type {any} */ (window).__upFront, null, {timeout})).jsonValue());
}
