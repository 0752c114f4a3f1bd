// The preview's side of the page (`npm run dev` injects this script; published pages never load it).
// It listens on the preview's live channel; on each update it swaps the prose and chrome that
// changed while moving the live cell roots into place (so inputs keep their values), redefines only
// the cells whose code changed, and shows the notebook's problems in a dismissable banner.
import type {LecternHandle} from "./main.js";
import type {CellDefinition, BrokenCellDefinition} from "./cell.js";

interface PreviewData {
  file: string;
  module: string | null;
  diagnostics: {text: string; severity: "error" | "warning"; cell?: string}[];
}

interface CellsModule {
  cells: CellDefinition[];
  broken: BrokenCellDefinition[];
}

type Definition = CellDefinition | BrokenCellDefinition;

// Declared before use: the script runs top to bottom.
const STYLE = `
#lectern-preview{position:fixed;z-index:2147483000;right:1rem;bottom:1rem;left:auto;max-width:min(44rem,calc(100vw - 2rem));font:14px/1.45 system-ui,sans-serif}
.lectern-preview-banner{position:relative;background:#fff7f7;color:#3b0a0a;border:1px solid #e5a1a1;border-left:4px solid #c62828;border-radius:6px;padding:.6rem 2.4rem .6rem .9rem;box-shadow:0 4px 18px rgb(0 0 0/.18);max-height:40vh;overflow:auto}
.lectern-preview-banner ul{margin:.35rem 0 0;padding:0;list-style:none}
.lectern-preview-banner li{margin:.2rem 0;overflow-wrap:anywhere}
.lectern-preview-banner code{font:12.5px/1.4 ui-monospace,monospace;white-space:pre-wrap;color:inherit}
.lectern-preview-banner a{color:inherit;text-decoration:underline dotted}
.lectern-preview-warning{color:#5c4400}
.lectern-preview-dismiss{position:absolute;top:.3rem;right:.4rem;border:0;background:none;color:inherit;font-size:1.3rem;line-height:1;padding:.2rem .45rem;cursor:pointer;border-radius:4px}
.lectern-preview-dismiss:hover,.lectern-preview-dismiss:focus-visible{background:rgb(0 0 0/.08)}
.lectern-preview-offline{margin-top:.5rem;background:#1f2937;color:#fff;border-radius:6px;padding:.45rem .8rem}
@media (prefers-color-scheme:dark){:root:not([data-theme=light]) .lectern-preview-banner{background:#2a1212;color:#ffdcdc;border-color:#7f2d2d}:root:not([data-theme=light]) .lectern-preview-warning{color:#ffe08a}}
:root[data-theme=dark] .lectern-preview-banner{background:#2a1212;color:#ffdcdc;border-color:#7f2d2d}:root[data-theme=dark] .lectern-preview-warning{color:#ffe08a}
[hidden].lectern-preview-banner,[hidden].lectern-preview-offline{display:none}
`;

const page = document.body.dataset.page ?? "index";
let state = document.querySelector<HTMLMetaElement>('meta[name="lectern-preview"]')?.content ?? "";
let updates: Promise<unknown> = Promise.resolve();

const ui = createUI();
showProblems(readData(document));
connect();

function connect(): void {
  const source = new EventSource(`/__lectern/events?page=${encodeURIComponent(page)}&state=${encodeURIComponent(state)}`);
  source.addEventListener("open", () => ui.connected(true));
  source.addEventListener("error", () => {
    ui.connected(false);
    // EventSource retries by itself after a network error, but gives up on an HTTP error: start over.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
  });
  source.addEventListener("update", (event) => {
    const update = JSON.parse((event as MessageEvent).data) as {state: string; html: string};
    updates = updates.then(() => apply(update)).catch((error) => {
      console.error("lectern preview: could not apply the update, reloading", error);
      location.reload();
    });
  });
  // A new npm package changed the shared bundle: keeping two copies of a package on one page would be worse.
  source.addEventListener("reload", () => location.reload());
  source.addEventListener("removed", (event) => {
    const {file} = JSON.parse((event as MessageEvent).data) as {file: string};
    ui.problems([{text: `${file} was deleted or renamed: this page no longer exists.`, severity: "error"}], "Gone");
  });
}

/** Applies a new version of the page without reloading it. */
async function apply({state: next, html}: {state: string; html: string}): Promise<void> {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const data = readData(doc);
  const handle = await lectern();
  if (!handle) return location.reload(); // the page's own code never started: nothing to keep
  const module = data.module ? ((await import(/* @vite-ignore */ data.module)) as CellsModule) : undefined;
  const plan = module ? diff(handle, module) : undefined;
  const roots = liveRoots(handle, plan);
  morphPage(doc, roots);
  if (plan) {
    for (const id of [...plan.removed, ...plan.changed.map((d) => d.id)]) {
      handle.cells.get(id)?.defined.dispose();
      handle.cells.delete(id);
    }
    for (const definition of [...plan.changed, ...plan.added]) {
      if ("body" in definition) handle.define(definition);
      else handle.defineBroken(definition);
    }
  }
  showProblems(data);
  state = next;
  document.documentElement.dataset.lecternPreview = next;
  const rerun = plan ? [...plan.changed, ...plan.added].map((d) => d.id) : [];
  document.dispatchEvent(new CustomEvent("lectern:update", {detail: {state: next, rerun}}));
}

/** What an update does to the cells: a cell is the same when its definition is (position aside). */
function diff(handle: LecternHandle, module: CellsModule) {
  const next = new Map<string, Definition>();
  for (const d of [...module.broken, ...module.cells]) next.set(d.id, d);
  const current = handle.cells;
  const todo = new Map(next);
  const left = new Set(current.keys());
  for (const [id, definition] of next) {
    const have = current.get(id);
    if (have && signature(have.definition) === signature(definition)) {
      move(have.definition, definition);
      todo.delete(id);
      left.delete(id);
    }
  }
  // Unnamed cells are numbered (cell-3): one inserted above renumbers the rest, which did not change.
  const renamed = new Map<string, string>(); // old id → new id
  for (const [id, definition] of todo) {
    if (definition.outputs.length) continue;
    const old = [...left].find((o) => !current.get(o)!.definition.outputs.length && signature(current.get(o)!.definition) === signature(definition));
    if (old === undefined) continue;
    renamed.set(old, id);
    left.delete(old);
    todo.delete(id);
  }
  const changed = [...todo.values()].filter((d) => left.has(d.id));
  const added = [...todo.values()].filter((d) => !left.has(d.id));
  for (const d of changed) left.delete(d.id);
  const removed = [...left];
  // Rename in two steps: a chain (cell-3 → cell-4 → cell-5) must not overwrite itself.
  const moving = [...renamed].map(([old, id]) => [current.get(old)!, id] as const);
  for (const old of renamed.keys()) current.delete(old);
  for (const [entry, id] of moving) {
    move(entry.definition, next.get(id)!);
    entry.definition.id = id;
    current.set(id, entry);
  }
  return {changed, added, removed, renamed};
}

function signature(d: Definition): string {
  return "body" in d
    ? JSON.stringify([d.inputs, d.outputs, d.autodisplay, d.inline, String(d.body)])
    : JSON.stringify(["broken", d.outputs, d.message, d.line, d.column]);
}

/** A kept cell moved in the file (prose above it changed): its error messages must say where it is now. */
function move(kept: Definition, next: Definition): void {
  kept.line = next.line;
  kept.column = next.column;
}

/** The live root element of each cell the page keeps (or redefines in place), by its id after the update. */
function liveRoots(handle: LecternHandle, plan: ReturnType<typeof diff> | undefined): Map<string, HTMLElement> {
  const roots = new Map<string, HTMLElement>();
  for (const el of document.querySelectorAll<HTMLElement>("[data-cell]")) if (!roots.has(el.dataset.cell!)) roots.set(el.dataset.cell!, el);
  if (!plan) return roots;
  const renamed = new Map<string, HTMLElement>();
  for (const [old, id] of plan.renamed) {
    const root = handle.cells.get(id)?.defined.root ?? roots.get(old);
    if (root) renamed.set(id, root);
  }
  for (const id of [...plan.removed, ...plan.renamed.keys()]) roots.delete(id);
  for (const [id, root] of renamed) {
    root.dataset.cell = id;
    root.id = `cell-${id}`;
    roots.set(id, root);
  }
  return roots;
}

// ---- DOM: replace what changed, keep and move the live cell roots ----

const cellOf = (node: Node): string | undefined => (node instanceof Element ? node.getAttribute("data-cell") ?? undefined : undefined);

/** A node's identity for matching: its HTML, with every cell root reduced to its id (outputs are live). */
function keyOf(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return `#text ${node.nodeValue}`;
  if (!(node instanceof Element)) return `#${node.nodeType} ${node.nodeValue}`;
  const cell = cellOf(node);
  if (cell) return `#cell ${cell}`;
  if (node.id === "theme-toggle") return "#theme-toggle"; // its label and listener are the page's own
  if (!node.querySelector("[data-cell]")) return node.outerHTML;
  const clone = node.cloneNode(true) as Element;
  for (const root of clone.querySelectorAll("[data-cell]")) root.replaceWith(`\u0000cell ${root.getAttribute("data-cell")}\u0000`);
  return clone.outerHTML;
}

function morphPage(next: Document, roots: Map<string, HTMLElement>): void {
  document.title = next.title;
  for (const name of ["description"]) {
    const content = next.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content;
    const meta = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`);
    if (meta && content !== undefined) meta.content = content;
  }
  syncAttributes(document.body, next.body);
  morphChildren(document.body, next.body, roots);
}

/** Makes `live`'s children look like `next`'s, reusing equal nodes and the live cell roots. */
function morphChildren(live: Element, next: Element, roots: Map<string, HTMLElement>): void {
  const liveKids = Array.from(live.childNodes);
  const liveKeys = new Map<Node, string>();
  const key = (node: Node) => {
    let k = liveKeys.get(node);
    if (k === undefined) liveKeys.set(node, (k = keyOf(node)));
    return k;
  };
  const nextKids = Array.from(next.childNodes);
  const nextKeys = nextKids.map(keyOf);
  const used = new Set<Node>();
  const result: Node[] = [];
  let cursor = 0;
  nextKids.forEach((nextKid, index) => {
    const cell = cellOf(nextKid);
    let keep: Node | undefined;
    if (cell) {
      keep = roots.get(cell);
      if (keep) syncRoot(keep as HTMLElement, nextKid as HTMLElement);
    } else {
      // Blank text between blocks matches only in place, so it never drags the cursor past real content.
      const blank = nextKid.nodeType === Node.TEXT_NODE && !nextKid.nodeValue!.trim();
      const j = blank
        ? (liveKids[cursor] && !used.has(liveKids[cursor]) && key(liveKids[cursor]) === nextKeys[index] ? cursor : -1)
        : liveKids.findIndex((n, i) => i >= cursor && !used.has(n) && key(n) === nextKeys[index]);
      if (j >= 0) {
        keep = liveKids[j];
        cursor = j + 1;
      } else {
        // Same kind of element at this place, not needed further on: change it in place (a paragraph
        // whose text changed keeps its inline cells).
        const candidate = liveKids.slice(cursor).find((n) => !used.has(n) && n.parentNode === live);
        if (candidate instanceof Element && nextKid instanceof Element && candidate.tagName === nextKid.tagName && !cellOf(candidate) && !nextKeys.slice(index + 1).includes(key(candidate))) {
          syncAttributes(candidate, nextKid);
          morphChildren(candidate, nextKid, roots);
          liveKeys.delete(candidate);
          keep = candidate;
          cursor = liveKids.indexOf(candidate) + 1;
        }
      }
    }
    if (!keep) keep = adopt(nextKid, roots);
    used.add(keep);
    result.push(keep);
  });
  for (const node of liveKids) if (!used.has(node) && node.parentNode === live) live.removeChild(node);
  result.forEach((node, i) => {
    const at = live.childNodes[i];
    if (at !== node) live.insertBefore(node, at ?? null);
  });
}

/** A node from the new page, with the live roots put where its placeholders are. */
function adopt(node: Node, roots: Map<string, HTMLElement>): Node {
  const own = document.adoptNode(node);
  if (!(own instanceof Element)) return own;
  for (const placeholder of Array.from(own.querySelectorAll<HTMLElement>("[data-cell]"))) {
    const root = roots.get(placeholder.dataset.cell!);
    if (!root) continue;
    syncRoot(root, placeholder);
    placeholder.replaceWith(root);
  }
  const cell = cellOf(own);
  return cell && roots.has(cell) ? roots.get(cell)! : own;
}

/** A kept root takes the new page's class and code listing; its output (and its inputs' values) stay. */
function syncRoot(root: HTMLElement, next: HTMLElement): void {
  if (root === next) return;
  root.className = next.className;
  const output = root.querySelector(":scope > .cell-output");
  const nextOutput = next.querySelector(":scope > .cell-output");
  if (!output || !nextOutput) return; // an inline cell: all of it is output
  const statics = (el: Element) => Array.from(el.children).filter((c) => !c.classList.contains("cell-output"));
  const strip = (html: string) => html.replace(/ open=""/g, "");
  if (statics(root).map((c) => strip(c.outerHTML)).join() === statics(next).map((c) => strip(c.outerHTML)).join()) return;
  const open = !!root.querySelector(":scope > details[open]");
  for (const el of statics(root)) el.remove();
  let before = true;
  for (const el of Array.from(next.children)) {
    if (el === nextOutput) {
      before = false;
      continue;
    }
    const own = document.adoptNode(el);
    if (open && own instanceof HTMLDetailsElement) own.open = true;
    if (before) root.insertBefore(own, output);
    else root.append(own);
  }
}

function syncAttributes(live: Element, next: Element): void {
  for (const {name} of Array.from(live.attributes)) if (!next.hasAttribute(name)) live.removeAttribute(name);
  for (const {name, value} of Array.from(next.attributes)) if (live.getAttribute(name) !== value) live.setAttribute(name, value);
}

// ---- the page's runtime, problems banner, connection badge ----

function readData(doc: Document): PreviewData {
  const text = doc.getElementById("lectern-preview-data")?.textContent;
  return text ? (JSON.parse(text) as PreviewData) : {file: "", module: null, diagnostics: []};
}

/** The runtime handle, once the page's own module has booted (it may still be loading). */
async function lectern(): Promise<LecternHandle | undefined> {
  for (let i = 0; i < 100; ++i) {
    const handle = (globalThis as {__lectern?: LecternHandle}).__lectern;
    if (handle?.cells) return handle;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

function showProblems(data: PreviewData): void {
  ui.problems(data.diagnostics);
}

function createUI() {
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.append(style);
  // Outside <body>, so updates that re-render the body never touch it.
  const host = document.createElement("div");
  host.id = "lectern-preview";
  document.documentElement.append(host);
  const badge = document.createElement("div");
  badge.className = "lectern-preview-offline";
  badge.setAttribute("role", "status");
  badge.textContent = "Preview server stopped: reconnecting…";
  badge.hidden = true;
  const banner = document.createElement("section");
  banner.className = "lectern-preview-banner";
  banner.setAttribute("aria-label", "Problems in this notebook");
  banner.hidden = true;
  host.append(banner, badge);
  let dismissed = "";
  let offline: ReturnType<typeof setTimeout> | undefined;
  return {
    connected(on: boolean) {
      clearTimeout(offline);
      // A blip while the server restarts is not worth a flash of the badge.
      if (on) badge.hidden = true;
      else offline = setTimeout(() => (badge.hidden = false), 400);
    },
    problems(list: PreviewData["diagnostics"], title?: string) {
      const text = list.map((d) => d.text).join("\n");
      if (!list.length || text === dismissed) {
        banner.hidden = true;
        if (!list.length) dismissed = "";
        return;
      }
      const errors = list.filter((d) => d.severity === "error").length;
      const warnings = list.length - errors;
      const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
      const heading = document.createElement("strong");
      heading.textContent = title ?? [errors && count(errors, "error"), warnings && count(warnings, "warning")].filter(Boolean).join(", ");
      const close = document.createElement("button");
      close.type = "button";
      close.className = "lectern-preview-dismiss";
      close.textContent = "×";
      close.setAttribute("aria-label", "Dismiss until the problems change");
      close.addEventListener("click", () => {
        dismissed = text;
        banner.hidden = true;
      });
      const items = document.createElement("ul");
      for (const d of list) {
        const li = document.createElement("li");
        li.className = `lectern-preview-${d.severity}`;
        const code = document.createElement("code");
        code.textContent = d.text;
        if (d.cell && document.getElementById(`cell-${d.cell}`)) {
          const a = document.createElement("a");
          a.href = `#cell-${d.cell}`;
          a.append(code);
          li.append(a);
        } else li.append(code);
        items.append(li);
      }
      banner.replaceChildren(heading, close, items);
      banner.setAttribute("role", errors ? "alert" : "status");
      banner.hidden = false;
    }
  };
}
