import {Inspector} from "@observablehq/inspector";

/** Where a cell shows its values: the `.cell-output` of its root (or the inline root itself). */
export function outputOf(root: HTMLElement): HTMLElement {
  return root.querySelector<HTMLElement>(":scope > .cell-output") ?? root;
}

/** Renders a value: DOM nodes as themselves; anything else through Observable's inspector (or as text inline). */
export function renderValue(value: unknown, inline: boolean): Node {
  if (isNode(value)) return value; // mended for accessibility by mendAccessibilityOf once it is in the page
  if (inline) return document.createTextNode(value === undefined ? "" : typeof value === "string" ? value : formatInline(value));
  if (typeof value === "string") {
    // Prose-like results read as text, not as a quoted string literal.
    const p = document.createElement("p");
    p.className = "cell-text";
    p.textContent = value;
    return p;
  }
  const div = document.createElement("div");
  div.className = "cell-value";
  new Inspector(div).fulfilled(value);
  return div;
}

function formatInline(value: unknown): string {
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toLocaleString("en-US", {maximumFractionDigits: 6});
  if (Array.isArray(value)) return `[${value.map(formatInline).join(", ")}]`;
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

export function isNode(value: unknown): value is Node {
  return typeof Node !== "undefined" && value instanceof Node;
}

/** The message box a failing cell shows in place. */
export function renderError(position: string, message: string, upstream?: {id: string; position: string}, inline = false): HTMLElement {
  const box = document.createElement(inline ? "span" : "div");
  box.className = "cell-error";
  box.setAttribute("role", "alert");
  const where = document.createElement("code");
  where.className = "cell-error-position";
  where.textContent = position;
  box.append(where, " error: ");
  if (upstream) {
    const link = document.createElement("a");
    link.href = `#cell-${upstream.id}`;
    link.textContent = upstream.id;
    box.append("this cell uses `", link, `\`, which failed (${upstream.position}): ${message}`);
  } else {
    box.append(message);
  }
  return box;
}

/**
 * Mends two accessibility gaps of Observable's libraries in what a cell displays: Inputs labels
 * only the first control of a form (a range's slider has no name of its own), and Plot puts
 * aria-label on <g> elements, which need a role for the label to count.
 */
function accessible<T extends Node>(node: T): T {
  if (!(node instanceof Element)) return node;
  const forms = node.matches("form") ? [node, ...node.querySelectorAll("form")] : [...node.querySelectorAll("form")];
  for (const form of forms) {
    const label = form.querySelector("label")?.textContent?.trim();
    if (!label) continue;
    for (const control of form.querySelectorAll<HTMLElement>("input, select, textarea")) {
      const labelled = control.hasAttribute("aria-label") || control.hasAttribute("aria-labelledby") || (control.id && form.querySelector(`label[for="${CSS.escape(control.id)}"]`)) || control.closest("label");
      if (!labelled) control.setAttribute("aria-label", label);
    }
  }
  for (const g of node.querySelectorAll("g[aria-label]:not([role])")) g.setAttribute("role", "group");
  return node;
}

/** Mends everything cells put in the page, when displayed and whenever a widget redraws later. */
export function mendAccessibilityOf(root: Element): MutationObserver {
  reachScrollingFormulas(root);
  const observer = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) if (node instanceof Element) accessible(node);
  });
  observer.observe(root, {childList: true, subtree: true});
  return observer;
}

/**
 * A displayed formula wider than its column scrolls sideways in its own box; a keyboard user must
 * be able to scroll it too, so such a box (and only such a box) becomes a focusable, named region.
 * Checked again whenever a formula's box changes size (phone rotation, sidebar, present mode).
 */
function reachScrollingFormulas(root: Element): void {
  if (typeof ResizeObserver === "undefined") return;
  const mark = (box: HTMLElement) => {
    // Any overflow, even a pixel's: the browser (and axe) then treat the box as a scrolling region.
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Formula (scrolls sideways)");
    } else if (box.getAttribute("role") === "region") {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  };
  const resized = new ResizeObserver((entries) => entries.forEach((e) => mark(e.target as HTMLElement)));
  const boxes = [...root.querySelectorAll<HTMLElement>(".math-display")];
  for (const box of boxes) {
    mark(box);
    resized.observe(box);
  }
  // A formula can outgrow its box without the box changing size: KaTeX's fonts load after the
  // first layout, and the formula set in them is wider than in the fallback font (axe found such an
  // unmarked scrolling formula in one run of test/browser/a11y.test.ts).
  const fonts = typeof document === "undefined" ? undefined : document.fonts;
  if (boxes.length && fonts) {
    const again = () => boxes.forEach(mark);
    fonts.addEventListener?.("loadingdone", again);
    void fonts.ready?.then(again);
  }
}
