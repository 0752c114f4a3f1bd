// A student's place in the course, kept in their browser only: per lesson the step they are at,
// the furthest step reached and the step count. One localStorage entry per course (named by the
// course's home address, so two courses on one host keep apart).
// Convention: everything Lectern or a course keeps for a student is named `lectern-…` (localStorage
// keys, IndexedDB databases); "Reset my progress and edits" clears all of it except the theme.

export interface LessonProgress {
  /** The step the student was last at (1-based). */
  step: number;
  /** The furthest step reached. */
  furthest: number;
  /** Steps in the lesson when last seen. */
  of: number;
  /** When last seen (ms since 1970). */
  at: number;
}

export type CourseProgress = Record<string, LessonProgress>;

/** The course's home, as an absolute path: the header's title links to it from every page. */
function courseKey(): string {
  const home = document.querySelector<HTMLAnchorElement>(".site-title")?.href ?? location.href;
  return `lectern-progress:${new URL(home, location.href).pathname}`;
}

export function readProgress(): CourseProgress {
  try {
    const parsed = JSON.parse(localStorage.getItem(courseKey()) ?? "{}") as unknown;
    return parsed && typeof parsed === "object" ? (parsed as CourseProgress) : {};
  } catch {
    return {}; // storage blocked (private mode, sandboxed embed) or a damaged entry: start afresh
  }
}

export function recordStep(slug: string, step: number, of: number): void {
  if (!slug || slug === "index" || document.body.dataset.embed !== undefined) return;
  const all = readProgress();
  const before = all[slug];
  all[slug] = {step, furthest: Math.max(step, before?.furthest ?? 0), of, at: Date.now()};
  try {
    localStorage.setItem(courseKey(), JSON.stringify(all));
  } catch {
    // Storage may be blocked: the page still works, it just forgets.
  }
}

/** Notes that a lesson was opened, keeping the place already saved (a reload must not lose it). */
export function recordVisit(slug: string, of: number): void {
  const before = readProgress()[slug];
  recordStep(slug, before?.step ?? 1, of);
}

/** Forgets everything this site keeps for the student (see the convention above); the theme stays. */
export async function resetProgressAndEdits(): Promise<void> {
  for (const store of [localStorage, sessionStorage]) {
    try {
      for (const key of Object.keys(store)) if (key.startsWith("lectern-") && key !== "lectern-theme") store.removeItem(key);
    } catch {
      // blocked storage holds nothing to clear
    }
  }
  if (typeof indexedDB === "undefined") return;
  const names = new Set(["lectern-saved-runs"]);
  try {
    for (const db of await indexedDB.databases()) if (db.name?.startsWith("lectern")) names.add(db.name);
  } catch {
    // databases() is missing in older browsers: the known name above is still cleared
  }
  await Promise.all([...names].map((name) => new Promise<void>((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = () => resolve();
    // A page in another tab holding the database open delays deletion until it closes it.
    request.onblocked = () => resolve();
  })));
}

/** Marks the lessons a student has opened, in the sidebar (and on the home page's cards). */
export function markVisitedLessons(): void {
  const progress = readProgress();
  const links = document.querySelectorAll<HTMLAnchorElement>(".lesson-list a, .lesson-cards a");
  for (const a of links) {
    const slug = /([\w-]+)\/$/.exec(new URL(a.href).pathname)?.[1];
    const seen = slug ? progress[slug] : undefined;
    for (const old of a.querySelectorAll(".lesson-progress")) old.remove();
    if (!seen) {
      delete a.dataset.visited;
      continue;
    }
    a.dataset.visited = seen.furthest >= seen.of ? "done" : "started";
    const badge = document.createElement("span");
    badge.className = "lesson-progress";
    const text = seen.furthest >= seen.of ? "read to the end" : `visited, at step ${seen.step} of ${seen.of}`;
    if (a.closest(".lesson-cards")) badge.textContent = text.charAt(0).toUpperCase() + text.slice(1);
    else {
      badge.textContent = "✓";
      badge.setAttribute("aria-hidden", "true");
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden lesson-progress";
      hidden.textContent = ` (${text})`;
      a.append(hidden);
    }
    a.append(badge);
  }
}
