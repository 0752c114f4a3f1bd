// Printing a lesson (or "save as PDF") gives each step its own page (style.css breaks before every
// step) and, where a step is taller than a page, scales it down to fit on one: down to a floor
// where 11 pt text is still about 6 pt; a step taller even then flows on to the next page.
// The layout is measured when the print media applies (matchMedia fires on Ctrl+P and on print
// emulation alike) and undone after.

/** The printable area of an A4 page with style.css's 12 mm margins, in CSS pixels (96 per inch). */
export const PRINT_PAGE = {width: (186 / 25.4) * 96, height: (273 / 25.4) * 96};
/** The smallest scale a step is printed at. */
export const MIN_PRINT_SCALE = 0.55;

export function setupPrint(): void {
  const steps = () => Array.from(document.querySelectorAll<HTMLElement>("article.notebook > section.step"));
  const fit = () => {
    const all = steps();
    // A lesson of one step is a document, not a deck: it flows over as many pages as it needs.
    if (all.length < 2) return;
    for (const step of all) {
      step.style.removeProperty("zoom");
      // A little under the page height: line boxes and rounding differ between layout and print.
      const limit = PRINT_PAGE.height * 0.97, height = step.getBoundingClientRect().height;
      if (height <= limit) continue;
      // Zoomed text reflows into the wider room it gets, so the step ends a little shorter than
      // scale × height: never taller than the page when the floor allows.
      const scale = Math.max(MIN_PRINT_SCALE, limit / height);
      step.style.zoom = String(scale);
      step.dataset.printScale = scale.toFixed(2);
    }
  };
  const unfit = () => {
    for (const step of steps()) {
      step.style.removeProperty("zoom");
      delete step.dataset.printScale;
    }
  };
  const media = matchMedia("print");
  media.addEventListener("change", (event) => (event.matches ? fit() : unfit()));
  addEventListener("beforeprint", () => media.matches && fit());
  addEventListener("afterprint", unfit);
}
