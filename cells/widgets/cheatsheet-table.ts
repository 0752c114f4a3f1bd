// The slides' loss / last-layer cheatsheet as a table, with the slide's mistakes struck through
// beside the corrections, and the rows for one task highlighted.
import {CHEATSHEET, type Task} from "../losses.js";

export function cheatsheetTable({task}: {task?: Task} = {}): HTMLElement {
  const wrap = document.createElement("div");
  wrap.className = "cheatsheet";
  wrap.style.cssText = "overflow-x: auto;";
  // Scrolls sideways on a phone: keyboard users must be able to reach it.
  wrap.tabIndex = 0;
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", "The loss and last-layer cheatsheet");
  const table = document.createElement("table");
  table.style.cssText = "border-collapse: collapse; font-size: 0.9rem; min-width: 34rem;";
  const caption = document.createElement("caption");
  caption.textContent = "What to choose for the loss and the last layer (the slide's table, corrected; struck-through text is what the slide printed)";
  caption.style.cssText = "caption-side: bottom; text-align: left; font-size: 0.8rem; color: var(--fg-muted, #57606a); padding-top: 0.3rem;";
  table.append(caption);
  const head = table.createTHead().insertRow();
  for (const title of ["loss (Keras · tfjs)", "good for", "last-layer activation", "last-layer size"]) {
    const th = document.createElement("th");
    if (title.startsWith("last")) th.style.minWidth = "6.5rem";
    th.scope = "col";
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of CHEATSHEET) {
    const tr = body.insertRow();
    const chosen = row.task === task;
    if (chosen) {
      tr.style.background = "var(--accent-soft, #dbeafe)";
      tr.setAttribute("aria-current", "true");
    }
    const loss = tr.insertCell();
    loss.append(code(row.keras));
    if (row.slideName) loss.append(" ", struck(row.slideName));
    loss.append(document.createElement("br"), small(`${row.title} · `), code(row.loss));
    tr.insertCell().textContent = row.goodFor;
    const activation = tr.insertCell();
    activation.append(strong(row.activation));
    if (row.slideActivation) activation.append(" ", struck(row.slideActivation));
    tr.insertCell().textContent = row.size;
  }
  for (const cell of table.querySelectorAll<HTMLElement>("th, td")) cell.style.cssText += "border-bottom: 1px solid var(--border, #d0d7de); padding: 0.35rem 0.6rem; text-align: left; vertical-align: top;";
  wrap.append(table);
  return wrap;
}

const code = (text: string) => Object.assign(document.createElement("code"), {textContent: text});
const strong = (text: string) => Object.assign(document.createElement("strong"), {textContent: text});
function small(text: string): HTMLElement {
  const span = document.createElement("span");
  span.textContent = text;
  span.style.cssText = "font-size: 0.85em; color: var(--fg-muted, #57606a);";
  return span;
}

function struck(text: string): HTMLElement {
  const del = document.createElement("del");
  del.textContent = text;
  del.title = "as the slide printed it";
  del.setAttribute("aria-label", `the slide says ${text}`);
  del.style.color = "var(--fg-muted, #57606a)";
  return del;
}
