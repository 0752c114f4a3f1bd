// A lesson's steps (its `---` sections, <section class="step">) three ways: the whole page
// (scrolling), step mode (one step at a time with Back/Next, arrow keys and a progress bar) and
// present mode (one step fills the screen in large type). Only visibility changes between modes:
// every cell stays defined and running, so a model trains on a slide and a slider keeps its place.
// The address names the step (#step-3) and the mode (?present), so a link opens both.
import {recordStep, recordVisit} from "./progress.js";

export type StepMode = "page" | "steps" | "present";

export interface StepsController {
  readonly mode: StepMode;
  readonly current: number;
  readonly count: number;
  go(step: number): void;
  setMode(mode: StepMode): void;
}

const STEP_HASH = /^#step-(\d+)$/;

export function setupSteps(): StepsController | undefined {
  const sections = Array.from(document.querySelectorAll<HTMLElement>("article.notebook > section.step"));
  const slug = document.body.dataset.page ?? "";
  if (sections.length < 2) {
    if (sections.length === 1) recordVisit(slug, 1);
    return undefined;
  }
  const count = sections.length;
  const root = document.documentElement;
  let mode: StepMode = "page";
  let current = 1;
  /** Where Escape goes back to from present mode. */
  let before: "page" | "steps" = "page";

  const titleOf = (n: number) => sections[n - 1]!.querySelector("h1, h2, h3")?.textContent?.trim() ?? "";
  const nav = buildNav(count);
  document.body.append(nav.element);
  const toggleSteps = document.querySelector<HTMLButtonElement>("#steps-toggle");
  const togglePresent = document.querySelector<HTMLButtonElement>("#present-toggle");

  /** Which step the reader is looking at in page mode: the last whose top is above the upper third. */
  const stepInView = () => {
    // Scrolled to the end, a short last step never reaches the top: the last step in the window counts.
    const atBottom = scrollY + innerHeight >= document.documentElement.scrollHeight - 2;
    const line = atBottom ? innerHeight - 40 : innerHeight / 3;
    let seen = 1;
    for (const [i, section] of sections.entries()) if (section.getBoundingClientRect().top < line) seen = i + 1;
    return seen;
  };
  const stepOf = (id: string) => {
    const target = id ? document.getElementById(decodeURIComponent(id)) : null;
    const section = target?.closest<HTMLElement>("section.step");
    return section ? sections.indexOf(section) + 1 : 0;
  };

  const writeAddress = () => {
    const url = new URL(location.href);
    const search = url.search.replace(/^\?/, "").split("&").filter((p) => p && !/^present(=|$)/.test(p));
    if (mode === "present") search.unshift("present");
    url.search = search.length ? `?${search.join("&")}` : "";
    if (mode !== "page") url.hash = `step-${current}`;
    if (url.href !== location.href) history.replaceState(history.state, "", url.href);
  };

  const render = (announce: boolean) => {
    root.dataset.mode = mode;
    const alone = mode !== "page";
    for (const [i, section] of sections.entries()) {
      section.hidden = alone && i + 1 !== current;
      // A slide that scrolls inside itself must be reachable by Tab, to scroll it with the keyboard.
      section.tabIndex = mode === "present" && i + 1 === current ? 0 : -1;
    }
    nav.update(current, titleOf(current), mode);
    toggleSteps?.setAttribute("aria-pressed", String(mode === "steps"));
    if (toggleSteps) toggleSteps.textContent = mode === "steps" ? "Whole page" : "Step through";
    if (alone) {
      // A focus left inside a step that is now hidden would fall to <body>: give it to the step shown.
      const active = document.activeElement;
      if (announce && (!active || active === document.body || (active instanceof HTMLElement && !!active.closest("section.step[hidden]")))) sections[current - 1]!.focus({preventScroll: true});
      if (mode === "present") sections[current - 1]!.scrollTop = 0;
      else window.scrollTo({top: 0});
    }
    if (announce) nav.announce(`Step ${current} of ${count}${titleOf(current) ? `: ${titleOf(current)}` : ""}`);
    writeAddress();
    recordStep(slug, current, count);
  };

  const controller: StepsController = {
    get mode() {
      return mode;
    },
    get current() {
      return current;
    },
    count,
    go(step: number) {
      const next = Math.min(count, Math.max(1, Math.round(step)));
      if (next === current && mode !== "page") return;
      current = next;
      if (mode === "page") {
        sections[current - 1]!.scrollIntoView({block: "start"});
        recordStep(slug, current, count);
        return;
      }
      render(true);
    },
    setMode(next: StepMode) {
      if (next === mode) return;
      if (mode === "page") current = stepInView();
      if (next === "present") before = mode as "page" | "steps";
      mode = next;
      render(true);
      if (next === "page") {
        // Back on the whole page at the same step.
        sections[current - 1]!.scrollIntoView({block: "start"});
        sections[current - 1]!.focus({preventScroll: true});
      }
    }
  };

  nav.back.addEventListener("click", () => controller.go(current - 1));
  nav.next.addEventListener("click", () => controller.go(current + 1));
  nav.exit.addEventListener("click", () => controller.setMode(mode === "present" ? before : "page"));
  toggleSteps?.addEventListener("click", () => controller.setMode(mode === "steps" ? "page" : "steps"));
  togglePresent?.addEventListener("click", () => controller.setMode("present"));

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const key = event.key;
    if (key === "p" || key === "P") {
      controller.setMode(mode === "present" ? before : "present");
    } else if (key === "Escape" && mode === "present") {
      controller.setMode(before);
    } else if (mode !== "page" && (key === "ArrowRight" || (mode === "present" && key === "PageDown" && atEnd(sections[current - 1]!)))) {
      controller.go(current + 1);
    } else if (mode !== "page" && (key === "ArrowLeft" || (mode === "present" && key === "PageUp" && sections[current - 1]!.scrollTop <= 0))) {
      controller.go(current - 1);
    } else {
      return;
    }
    event.preventDefault();
  });

  // A link to a step (#step-3) or to anything inside one (a heading) shows that step.
  addEventListener("hashchange", () => {
    const m = STEP_HASH.exec(location.hash);
    const step = m ? Number(m[1]) : stepOf(location.hash.slice(1));
    if (!step) return;
    if (m && mode === "page") {
      current = Math.min(count, Math.max(1, step));
      mode = "steps";
      render(true);
    } else if (mode !== "page") {
      controller.go(step);
      if (!m) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView({block: "start"});
    }
  });

  // Page mode: the step in view is the reader's place.
  let scrollTimer: ReturnType<typeof setTimeout> | undefined;
  addEventListener("scroll", () => {
    if (mode !== "page") return;
    clearTimeout(scrollTimer);
    scrollTimer = setTimeout(() => {
      if (mode === "page") recordStep(slug, (current = stepInView()), count);
    }, 400);
  }, {passive: true});

  // The address decides the start: ?present, #step-N (step mode), else the whole page.
  const m = STEP_HASH.exec(location.hash);
  const present = new URLSearchParams(location.search).has("present");
  if (m || present) {
    current = Math.min(count, Math.max(1, m ? Number(m[1]) : stepOf(location.hash.slice(1)) || 1));
    before = m ? "steps" : "page";
    mode = present ? "present" : "steps";
    render(false);
  } else {
    recordVisit(slug, count);
  }
  (globalThis as {__lecternSteps?: StepsController}).__lecternSteps = controller;
  return controller;
}

/** Keys typed into a field, a slider or an editor are theirs, not the deck's. */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !["button", "submit", "reset", "checkbox", "radio"].includes(target.type);
  return !!target.closest("[role=slider], [role=textbox], [role=listbox], [role=menu], .cm-editor");
}

/** A slide scrolled to its end (or not scrollable). */
function atEnd(section: HTMLElement): boolean {
  return section.scrollTop + section.clientHeight >= section.scrollHeight - 2;
}

interface StepNav {
  element: HTMLElement;
  back: HTMLButtonElement;
  next: HTMLButtonElement;
  exit: HTMLButtonElement;
  update(step: number, title: string, mode: StepMode): void;
  announce(text: string): void;
}

/** The bar under a step: Back, where you are (with a progress bar), Next, and the way out. */
function buildNav(count: number): StepNav {
  const element = document.createElement("nav");
  element.className = "step-nav";
  element.hidden = true; // shown in step and present mode only
  element.setAttribute("aria-label", "Steps of this lesson");
  element.innerHTML = `<button type="button" class="step-back" aria-keyshortcuts="ArrowLeft">← Back</button>
<div class="step-where"><span class="step-count"></span>
<div class="step-progress" role="progressbar" aria-label="Progress through the lesson" aria-valuemin="1" aria-valuemax="${count}"><div class="step-progress-bar"></div></div></div>
<button type="button" class="step-next" aria-keyshortcuts="ArrowRight">Next →</button>
<button type="button" class="step-exit"></button>
<p class="step-status visually-hidden" role="status" aria-live="polite"></p>`;
  const $ = <T extends Element>(s: string) => element.querySelector(s) as T;
  const back = $<HTMLButtonElement>(".step-back"), next = $<HTMLButtonElement>(".step-next"), exit = $<HTMLButtonElement>(".step-exit");
  const countText = $<HTMLSpanElement>(".step-count"), progress = $<HTMLDivElement>(".step-progress"), bar = $<HTMLDivElement>(".step-progress-bar");
  const status = $<HTMLParagraphElement>(".step-status");
  return {
    element,
    back,
    next,
    exit,
    update(step, title, mode) {
      element.hidden = mode === "page";
      back.disabled = step <= 1;
      next.disabled = step >= count;
      countText.textContent = `Step ${step} of ${count}`;
      progress.setAttribute("aria-valuenow", String(step));
      progress.setAttribute("aria-valuetext", `Step ${step} of ${count}${title ? `: ${title}` : ""}`);
      bar.style.width = `${(100 * step) / count}%`;
      exit.textContent = mode === "present" ? "Exit (Esc)" : "Whole page";
      exit.setAttribute("aria-keyshortcuts", mode === "present" ? "Escape" : "");
      if (mode !== "present") exit.removeAttribute("aria-keyshortcuts");
    },
    announce(text) {
      status.textContent = text;
    }
  };
}
