// One lesson's cells for embedding: the iframe page site/embed/<slug>/<id>.html and the
// <lectern-cell> element both load the lesson's embed module, which calls registerLesson. A
// document gets one runtime per lesson, however many of its cells are embedded; each embed
// defines only its cell's upstream closure (src/notebook/closure.ts), hidden unless `with` names it.
//
// Security: ids, `with` names and themes come from URLs and attributes. They are only looked up
// in the lesson's own tables or written as text; the only HTML inserted is the build's own
// (`roots`, made by the build from the notebook), never anything from a URL or a message.
import {Runtime} from "@observablehq/runtime";
import {cellClosure} from "../notebook/closure.js";
import {defineCell, defineBrokenCell, type CellDefinition, type BrokenCellDefinition, type DefinedCell} from "./cell.js";
import {builtins, undefinedName} from "./main.js";
import {Generators} from "./generators.js";
import {computeAfterFrames} from "./slice.js";
import {mendAccessibilityOf} from "./display.js";

export interface EmbedLessonDefinition {
  slug: string;
  file: string;
  cells: CellDefinition[];
  broken: BrokenCellDefinition[];
  /** Cell id → the cell's root as the lesson page renders it (build output, trusted). */
  roots: Record<string, string>;
  /** The ids written with `id=`: the only ones promised to embeds. */
  ids: string[];
}

export interface MountOptions {
  /** Cells of the closure to show too, by id or by a name they declare. */
  with?: string[];
}

export interface MountResult {
  ok: boolean;
  /** The ids defined for this embed (its closure), in document order. */
  closure: string[];
}

export interface EmbedLesson {
  slug: string;
  mount(container: HTMLElement, id: string, options?: MountOptions): MountResult;
}

export const HEIGHT_MESSAGE = "lectern:height";

export function registerLesson(definition: EmbedLessonDefinition): EmbedLesson {
  const {slug, file} = definition;
  const all = [...definition.broken.map((b) => ({...b, inputs: [] as string[]})), ...definition.cells];
  const order = new Map<string, number>();
  // Document order for the closure: cells and broken cells as the notebook has them.
  for (const id of Object.keys(definition.roots)) order.set(id, order.size);
  all.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const byId = new Map(all.map((c) => [c.id, c]));
  const ids = new Set(definition.ids);
  let main: ReturnType<Runtime["module"]> | undefined;
  let widthOf: HTMLElement | undefined;
  const defined = new Map<string, {defined: DefinedCell; shown: boolean}>();

  const module = () => {
    if (main) return main;
    const runtime = new Runtime({...builtins, width: () => Generators.width(widthOf ?? document.body)}, undefinedName);
    computeAfterFrames(runtime);
    main = runtime.module();
    return main;
  };

  const define = (id: string, root: HTMLElement | null) => {
    const cell = byId.get(id)!;
    const m = module();
    const d = "body" in cell ? defineCell(m, cell as CellDefinition, file, root) : defineBrokenCell(m, cell as BrokenCellDefinition, file, root);
    defined.set(id, {defined: d, shown: !!root});
  };

  const lesson: EmbedLesson = {
    slug,
    mount(container, id, options = {}) {
      const closure = ids.has(id) ? cellClosure(all, id) : undefined;
      if (!closure) {
        const p = document.createElement("p");
        p.className = "embed-missing";
        p.setAttribute("role", "alert");
        p.textContent = `no cell ${id} in ${slug}`;
        container.replaceChildren(p);
        return {ok: false, closure: []};
      }
      widthOf ??= container;
      mendAccessibilityOf(container);
      const wanted = new Set(options.with ?? []);
      for (const cid of closure) {
        const cell = byId.get(cid)!;
        const existing = defined.get(cid);
        const wantedHere = cid === id || wanted.has(cid) || cell.outputs.some((o) => wanted.has(o));
        if (existing?.shown) {
          // One runtime per lesson: a cell shows in one place; another embed of it says where it is.
          if (cid === id) container.append(Object.assign(document.createElement("p"), {className: "embed-note", textContent: `${id} is shown in another embed of ${slug} on this page`}));
          continue;
        }
        if (existing && !wantedHere) continue; // already running, hidden, for another embed
        let root: HTMLElement | null = null;
        if (wantedHere) {
          const template = document.createElement("template");
          template.innerHTML = definition.roots[cid] ?? "";
          const made = template.content.firstElementChild as HTMLElement | null;
          if (made) {
            // An inline cell needs a paragraph around it, as in the lesson.
            const box = made.classList.contains("cell-inline") ? Object.assign(document.createElement("p"), {className: "embed-inline"}) : null;
            box?.append(made);
            container.append(box ?? made);
            root = made;
          }
        }
        existing?.defined.dispose(); // was hidden, now shown: define it again with a root
        define(cid, root);
      }
      return {ok: true, closure};
    }
  };

  if (typeof document !== "undefined" && document.body?.dataset.lecternEmbed === slug) mountPage(lesson);
  return lesson;
}

/** The iframe page: the cell its URL names, `?with=` and `?theme=`, and its height posted to the parent. */
function mountPage(lesson: EmbedLesson): void {
  const body = document.body;
  const params = new URLSearchParams(location.search);
  const theme = params.get("theme");
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  let id = body.dataset.embedCell ?? "";
  if (!id) {
    try {
      id = decodeURIComponent(location.hash.slice(1));
    } catch {
      id = location.hash.slice(1);
    }
  }
  const container = document.querySelector<HTMLElement>(".embed-cells")!;
  lesson.mount(container, id, {with: params.getAll("with").flatMap((w) => w.split(","))});
  document.documentElement.dataset.lectern = "ready";
  if (parent !== window) {
    let last = -1;
    const post = () => {
      const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height === last) return;
      last = height;
      // Only a number goes out; the host's listener checks that the message comes from its own iframe.
      parent.postMessage({type: HEIGHT_MESSAGE, slug: lesson.slug, id, height}, "*");
    };
    new ResizeObserver(post).observe(document.documentElement);
    post();
  }
}
