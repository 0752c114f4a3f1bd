// site/embed.js: <lectern-cell src="<site>/<slug>#<id>" with="a,b" theme="light|dark">.
// A classic script (works with or without type="module", from any origin): it loads the lesson's
// embed module from the site the src names, once per lesson per document, and mounts the cell in
// a shadow root styled by the site's embed stylesheet. The site must send CORS headers (README).
import type {EmbedLesson} from "./embed.js";

/** Set by the build: slug → the lesson's embed module under assets/, and the shadow stylesheet. */
declare const LECTERN_EMBED: {modules: Record<string, string>; style: string};

const lessons = new Map<string, Promise<EmbedLesson>>();

function parseSource(src: string): {site: URL; slug: string; id: string} | undefined {
  let url: URL;
  try {
    url = new URL(src, document.baseURI);
  } catch {
    return undefined;
  }
  let id = url.hash.slice(1);
  try {
    id = decodeURIComponent(id);
  } catch {
    // Keep the raw text: it is only looked up and shown as text.
  }
  const path = url.pathname.replace(/\/+$/, "");
  const cut = path.lastIndexOf("/");
  return {site: new URL(path.slice(0, cut + 1), url.origin), slug: path.slice(cut + 1), id};
}

class LecternCell extends HTMLElement {
  static get observedAttributes() {
    return ["theme"];
  }

  attributeChangedCallback() {
    const wrapper = this.shadowRoot?.querySelector<HTMLElement>(".lectern-embed");
    if (wrapper) setTheme(wrapper, this.getAttribute("theme"));
  }

  connectedCallback() {
    if (this.shadowRoot) return;
    const shadow = this.attachShadow({mode: "open"});
    const wrapper = document.createElement("div");
    wrapper.className = "lectern-embed";
    setTheme(wrapper, this.getAttribute("theme"));
    const cells = document.createElement("div");
    cells.className = "embed-cells";
    wrapper.append(cells);
    const say = (text: string) => {
      const p = document.createElement("p");
      p.className = "embed-missing";
      p.setAttribute("role", "alert");
      p.textContent = text;
      cells.replaceChildren(p);
    };
    const source = parseSource(this.getAttribute("src") ?? "");
    if (!source) {
      shadow.append(wrapper);
      return say(`lectern-cell: src is not an address: ${this.getAttribute("src") ?? "(none)"}`);
    }
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL(`assets/${LECTERN_EMBED.style}`, source.site).href;
    shadow.append(link, wrapper);
    const file = Object.hasOwn(LECTERN_EMBED.modules, source.slug) ? LECTERN_EMBED.modules[source.slug] : undefined;
    if (!file) return say(`no lesson ${source.slug} at ${source.site.href}`);
    const key = new URL(`assets/${file}`, source.site).href;
    let lesson = lessons.get(key);
    if (!lesson) lessons.set(key, (lesson = import(/* @vite-ignore */ key).then((m: {lesson: EmbedLesson}) => m.lesson)));
    const wanted = (this.getAttribute("with") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    lesson.then(
      (l) => {
        l.mount(cells, source.id, {with: wanted});
        this.dataset.state = "mounted";
      },
      (error: Error) => say(`could not load ${source.slug} from ${source.site.href}: ${error.message}`)
    );
  }
}

function setTheme(wrapper: HTMLElement, theme: string | null): void {
  if (theme === "light" || theme === "dark") wrapper.dataset.theme = theme;
  else delete wrapper.dataset.theme;
}

if (!customElements.get("lectern-cell")) customElements.define("lectern-cell", LecternCell);
